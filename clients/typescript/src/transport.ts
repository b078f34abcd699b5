/**
 * The gRPC transport (connect-node, gRPC protocol over HTTP/2) with the bearer token and the user agent.
 * A token goes in clear text only to a loopback address unless the caller says `insecure: true`.
 */
import type { Interceptor, Transport } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport } from "@connectrpc/connect-node";
import { InsecureChannelError } from "./errors.js";
import { VERSION } from "./version.js";

/** A bearer token, or a function that returns the current one (asked before every attempt, so it can refresh). */
export type TokenSource = string | (() => string | Promise<string>);

export interface TransportOptions {
  /**
   * `host:port` (default `SUBSHIFT_API_ADDR`, else `127.0.0.1:50051`). One HTTP/2 session to one resolved
   * address: connect-node cannot balance over DNS (no `dns:///`), so use a Service or a mesh in front.
   */
  readonly addr?: string;
  readonly token?: TokenSource;
  /** Use TLS (https); default false, or true when `SUBSHIFT_API_TLS` is `true`. */
  readonly tls?: boolean;
  /** Allow a token in clear text to a non-loopback address. */
  readonly insecure?: boolean;
}

const LOOPBACK = /^(localhost|127(?:\.\d+){3}|\[::1\])$/;

export const USER_AGENT = `subshift-client-typescript/${VERSION}`;

/** The transport for `options`, and the address it talks to. */
export function openTransport(options: TransportOptions): { transport: Transport; addr: string; close: () => void } {
  const addr = options.addr ?? process.env["SUBSHIFT_API_ADDR"] ?? "127.0.0.1:50051";
  const tls = options.tls ?? process.env["SUBSHIFT_API_TLS"]?.toLowerCase() === "true";
  const token = options.token ?? process.env["SUBSHIFT_TOKEN"];
  const host = addr.replace(/:\d+$/, "");
  if (token !== undefined && !tls && !options.insecure && !LOOPBACK.test(host)) {
    throw new InsecureChannelError(`refusing to send a token in clear text to ${addr}: use tls: true, `
      + "or insecure: true if the network is trusted");
  }
  const auth: Interceptor = (next) => async (request) => {
    if (token !== undefined) {
      const value = typeof token === "string" ? token : await token();
      request.header.set("authorization", `Bearer ${value}`);
    }
    request.header.set("user-agent", USER_AGENT);
    return next(request);
  };
  const baseUrl = `${tls ? "https" : "http"}://${addr}`;
  // A session manager of our own, so close() can end this client's connection (no global state).
  const sessionManager = new Http2SessionManager(baseUrl);
  const transport = createGrpcTransport({ baseUrl, interceptors: [auth], sessionManager });
  return { transport, addr, close: () => sessionManager.abort() };
}
