import type { Problem } from "./types";

/** A failed API call, in words a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, message?: string) {
    super(message ?? problem?.detail ?? describeStatus(status));
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }

  get code(): string | null {
    return this.problem?.code ?? null;
  }

  /** Per-field messages for forms: `{ email: "An account with this email already exists." }`. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, errs] of Object.entries(this.problem?.errors ?? {})) {
      const first = errs?.[0];
      if (first) out[field] = first.message;
    }
    return out;
  }
}

function describeStatus(status: number): string {
  if (status === 0) return "Cannot reach the MyRelay server. Check your connection and try again.";
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status === 429) return "Too many requests. Wait a moment and try again.";
  if (status >= 500) return "The server had a problem. Please try again.";
  return `The request failed (HTTP ${status}).`;
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" && value !== null && "code" in value && "detail" in value
  );
}

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * Await an openapi-fetch call and return its data, or throw an `ApiError` (network failures
 * included) with the server's problem details when there are any.
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError(0, null);
  }
  if (result.response.ok) return result.data as T;
  const problem = isProblem(result.error) ? result.error : null;
  throw new ApiError(result.response.status, problem);
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error && e.message) return e.message;
  return "Something went wrong. Please try again.";
}
