/**
 * One retry policy for every method: `UNAVAILABLE`, and `RESOURCE_EXHAUSTED` after the server's push-back, are
 * retried with exponential back-off, all within the call's one deadline (its whole budget, retries included).
 */
import { ApiError, DeadlineExceededError, apiErrorFrom } from "./errors.js";

export interface RetryPolicy {
  /** Attempts in all, the first included (default 5). */
  readonly attempts: number;
  /** The first pause (default 100 ms); each next one is `multiplier` times longer, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly multiplier: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5_000, multiplier: 2 };

/** The time left of one call: its deadline, and the caller's AbortSignal combined with it. */
export class CallBudget {
  private readonly deadline: number;

  constructor(readonly method: string, readonly limitMs: number, readonly signal?: AbortSignal) {
    this.deadline = Date.now() + limitMs;
  }

  get remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** The deadline error of this call. */
  exceeded(what = "finish", cause?: unknown): DeadlineExceededError {
    return new DeadlineExceededError(this.method, this.limitMs, what, cause);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(timer); reject(signal?.reason); };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Run `attempt` (given the milliseconds left) until it succeeds, fails for good, or the budget runs out.
 * `replayable()` says whether a failed attempt may be repeated (an upload whose source was consumed may not).
 */
export async function withRetry<T>(
  budget: CallBudget,
  policy: RetryPolicy,
  attempt: (remainingMs: number) => Promise<T>,
  replayable: () => boolean = () => true,
): Promise<T> {
  let delay = policy.initialDelayMs;
  for (let n = 1; ; n++) {
    if (budget.signal?.aborted) throw budget.signal.reason;
    const left = budget.remainingMs;
    if (left <= 0) throw budget.exceeded();
    let failure: ApiError;
    try {
      return await attempt(left);
    } catch (error) {
      if (budget.signal?.aborted) throw budget.signal.reason;
      failure = apiErrorFrom(error, budget.method, budget.limitMs);
    }
    if (!failure.retryable || n >= policy.attempts || !replayable()) throw failure;
    const pause = Math.max(delay, failure.retryDelayMs ?? 0);
    if (pause >= budget.remainingMs) throw failure;
    await sleep(pause, budget.signal);
    delay = Math.min(policy.maxDelayMs, delay * policy.multiplier);
  }
}
