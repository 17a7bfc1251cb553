/** Exit codes swarmnet uses, the docker CLI's and POSIX shells' conventions. */
export const ExitCode = {ok: 0, failure: 1, usage: 2, interrupted: 130} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * Every error code swarmnet prints (in --json's `error.code`), with its exit code and a hint: what
 * the code means and what to do about it (for --help texts and docs; not printed).
 */
export const ERROR_CODES = {
  EUSAGE: {exitCode: ExitCode.usage, hint: 'bad input: nothing was changed; correct the value the message names'},
  ERUNTIME: {exitCode: ExitCode.failure, hint: 'the world failed (a node, the network, a replica); the message says where'},
  EINTERRUPTED: {exitCode: ExitCode.interrupted, hint: 'stopped by Ctrl-C or a closed prompt'},
  EWORKER: {exitCode: ExitCode.failure, hint: 'a manager-only call reached a worker; point swarmnet at a manager'},
} as const satisfies Record<string, {exitCode: ExitCode; hint: string}>
export type ErrorCode = keyof typeof ERROR_CODES

/** What every failing command prints with --json: one object, one line. */
export interface ErrorEnvelope {
  error: {message: string; code: string; exitCode: number; details?: unknown}
}

export function errorEnvelope(message: string, code: string, exitCode: number, details?: unknown): ErrorEnvelope {
  return {error: {message, code, exitCode, ...(details === undefined ? {} : {details})}}
}

/**
 * The one error type commands let escape. `message` is a single line that names the bad value
 * and what was expected; `exitCode` says whether it was the user's input (2) or the world (1).
 */
export class SwarmnetError extends Error {
  /** What a command did before failing (e.g. one row per replica), for --json. */
  details?: unknown

  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failure,
    readonly code: string = 'ERUNTIME',
  ) {
    super(message)
    this.name = 'SwarmnetError'
  }

  withDetails(details: unknown): this {
    this.details = details
    return this
  }
}

/** The code of the error a worker's engine gives for a manager-only call (see docker/manager.ts). */
export const WORKER_CODE: ErrorCode = 'EWORKER'

/** Bad input: nothing was changed, exit 2. */
export class UsageError extends SwarmnetError {
  constructor(message: string) {
    super(message, ERROR_CODES.EUSAGE.exitCode, 'EUSAGE')
    this.name = 'UsageError'
  }
}

export class InterruptedError extends SwarmnetError {
  constructor(message = 'interrupted') {
    super(message, ERROR_CODES.EINTERRUPTED.exitCode, 'EINTERRUPTED')
    this.name = 'InterruptedError'
  }
}

/** Collapses any message to one line, so errors never spill multi-line daemon output. */
export function oneLine(text: string): string {
  return text.replaceAll(/\s+/g, ' ').trim()
}

/** Node's network error codes, said the way an operator reads them. */
const networkReasons: Record<string, string> = {
  EACCES: 'permission denied',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOENT: 'no such socket',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
  EPIPE: 'connection closed',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed and not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate is not signed by the trusted CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate is not signed by the trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'TLS certificate is not signed by the trusted CA',
}

/** A short reason for a low-level failure: "connection refused", "timed out after 5s", ... */
export function reasonOf(error: unknown): string {
  if (error instanceof SwarmnetError) return error.message
  const err = error as NodeJS.ErrnoException & {reason?: string; statusCode?: number; json?: {message?: string}}
  if (err?.code && networkReasons[err.code]) return networkReasons[err.code]
  if (err?.statusCode && err.json?.message) return oneLine(err.json.message)
  if (err?.statusCode) return `HTTP ${err.statusCode}`
  return oneLine(String(err?.message ?? error))
}
