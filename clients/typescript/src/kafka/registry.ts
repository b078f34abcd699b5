/**
 * A small client of the registry's Confluent-compatible API (Apicurio's `/apis/ccompat/v7`, Confluent, Karapace):
 * writer schemas looked up by id (cached: an id never changes its schema) and subjects' ids looked up or registered.
 */
import { RegistryError } from "../errors.js";

export interface RegistryOptions {
  /** The API's base URL (default `SUBSHIFT_REGISTRY_URL`). */
  readonly url?: string;
  /** Each request's deadline (default 10 s). */
  readonly timeoutMs?: number;
  readonly headers?: Record<string, string>;
}

export class SchemaRegistry {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly byId = new Map<number, Promise<string>>();

  constructor(options: RegistryOptions = {}) {
    const url = options.url ?? process.env["SUBSHIFT_REGISTRY_URL"];
    if (!url) throw new RegistryError("no registry URL: pass url or set SUBSHIFT_REGISTRY_URL");
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.headers = { "content-type": "application/vnd.schemaregistry.v1+json", ...options.headers };
  }

  /** The writer schema (Avro JSON text) registered under `id`. */
  schemaById(id: number): Promise<string> {
    let cached = this.byId.get(id);
    if (cached === undefined) {
      cached = this.request("GET", `/schemas/ids/${id}`).then((answer) => String(answer["schema"]));
      cached.catch(() => this.byId.delete(id)); // a failed lookup is asked again next time
      this.byId.set(id, cached);
    }
    return cached;
  }

  /** The id of `schema` under `subject`; registers it first when `register` is true. */
  async idOf(subject: string, schema: object, { register = false } = {}): Promise<number> {
    const body = JSON.stringify({ schema: JSON.stringify(schema), schemaType: "AVRO" });
    const path = `/subjects/${encodeURIComponent(subject)}${register ? "/versions" : ""}`;
    const answer = await this.request("POST", path, body);
    return Number(answer["id"]);
  }

  private async request(method: string, path: string, body?: string): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(this.url + path, {
        method, headers: this.headers, signal: AbortSignal.timeout(this.timeoutMs), ...(body ? { body } : {}),
      });
    } catch (error) {
      throw new RegistryError(`the registry at ${this.url} did not answer ${method} ${path}: ${String(error)}`,
        { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RegistryError(`the registry refused ${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    return JSON.parse(text) as Record<string, unknown>;
  }
}
