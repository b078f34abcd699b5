/**
 * What `createMigration` uploads: a CSV file (a path), CSV bytes, or rows (arrays of cells, the header first),
 * cut into chunks that each fit a gRPC message.
 */
import { open, stat } from "node:fs/promises";
import { UploadSourceError } from "./errors.js";

/** A file path, the CSV's bytes, or rows of cells (header first), sync or async. */
export type UploadSource =
  | string
  | Uint8Array
  | Iterable<readonly string[]>
  | AsyncIterable<readonly string[]>;

/** How far an upload got: bytes and rows sent so far, and which attempt sent them. */
export interface UploadProgress {
  readonly bytesSent: number;
  readonly totalBytes: number | undefined;
  readonly rowsSent: number;
  readonly attempt: number;
}

export const CHUNK_BYTES = 256 * 1024;

export interface PreparedSource {
  readonly totalBytes: number | undefined;
  /** Whether the chunks can be read again for a retry. */
  readonly replayable: boolean;
  chunks(): AsyncIterable<Uint8Array>;
}

const encoder = new TextEncoder();

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

async function* fileChunks(path: string, size: number): AsyncIterable<Uint8Array> {
  const handle = await open(path, "r");
  try {
    for (;;) {
      const buffer = new Uint8Array(size);
      const { bytesRead } = await handle.read(buffer, 0, size);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

async function* rowChunks(
  rows: Iterable<readonly string[]> | AsyncIterable<readonly string[]>, size: number,
): AsyncIterable<Uint8Array> {
  let pending = "";
  for await (const row of rows as AsyncIterable<readonly string[]>) {
    pending += row.map(csvCell).join(",") + "\n";
    if (pending.length >= size / 4) { // UTF-8 takes at most 4 bytes a character: a chunk stays under `size`
      yield encoder.encode(pending);
      pending = "";
    }
  }
  if (pending) yield encoder.encode(pending);
}

/** Check `source` and say how to read it. */
export async function prepareSource(source: UploadSource, size = CHUNK_BYTES): Promise<PreparedSource> {
  if (typeof source === "string") {
    if (source.includes("\n") || source.includes(",")) {
      throw new UploadSourceError("createMigration takes a file path, bytes or rows; this string looks like CSV "
        + "text: pass new TextEncoder().encode(text) to upload it");
    }
    const info = await stat(source).catch(() => undefined);
    if (!info?.isFile()) throw new UploadSourceError(`${source} is not a readable file`);
    return { totalBytes: info.size, replayable: true, chunks: () => fileChunks(source, size) };
  }
  if (source instanceof Uint8Array) {
    return {
      totalBytes: source.length, replayable: true,
      async *chunks() { for (let at = 0; at < source.length; at += size) yield source.subarray(at, at + size); },
    };
  }
  // An array can be read again; a generator or a stream only once.
  const replayable = Array.isArray(source);
  return { totalBytes: undefined, replayable, chunks: () => rowChunks(source, size) };
}
