// The proxy's environment as the real image reads it: its Dockerfile's ENV, Docker secrets, and the lab's own knobs.
import fs from 'node:fs'
import { atoi } from './go.mjs'

// The real image's ENV (its Dockerfile): the stand-in behaves as if it had them.
const IMAGE_ENV = {
  CHECK_RESOLVERS: 'false',
  CONNECTION_MODE: 'http-keep-alive',
  DEBUG: 'false',
  DEFAULT_PORTS: '80,443:ssl',
  DEFAULT_REQ_MODE: 'http',
  DO_NOT_RESOLVE_ADDR: 'false',
  FILTER_PROXY_INSTANCE_NAME: 'false',
  HTTPS_ONLY: 'false',
  PROXY_INSTANCE_NAME: 'docker-flow',
  RECONFIGURE_ATTEMPTS: '20',
  RESOLVERS: 'nameserver dns 127.0.0.11:53',
  SEPARATOR: ',',
  SERVICE_DOMAIN_ALGO: 'hdr_beg(host)',
  SERVICE_NAME: 'proxy',
  SKIP_ADDRESS_VALIDATION: 'true',
  SSL_BIND_CIPHERS: 'ECDH+AESGCM:ECDH+CHACHA20:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS',
  SSL_BIND_OPTIONS: 'no-sslv3',
  STATS_PASS_ENV: 'STATS_PASS',
  STATS_URI_ENV: 'STATS_URI',
  STATS_USER_ENV: 'STATS_USER',
  TIMEOUT_CLIENT: '20',
  TIMEOUT_CONNECT: '5',
  TIMEOUT_HTTP_KEEP_ALIVE: '15',
  TIMEOUT_HTTP_REQUEST: '5',
  TIMEOUT_QUEUE: '30',
  TIMEOUT_SERVER: '20',
  TIMEOUT_TUNNEL: '3600',
}
export const SECRETS_DIR = '/run/secrets'

// os.Getenv in the real image: unset means the image's value.
export const envOf = (env, key) => env[key] ?? IMAGE_ENV[key] ?? ''

// The real getSecretOrEnvVar: a Docker secret dfp_<key> wins, then a non-empty variable.
export function secretOr(env, key, def) {
  if (!key) return def
  try {
    return fs.readFileSync(`${SECRETS_DIR}/dfp_${key.toLowerCase()}`, 'utf8').replace(/\n+$/, '')
  } catch {
    return envOf(env, key) || def
  }
}

// Lab-only knobs: the real proxy retries the HAProxy check RECONFIGURE_ATTEMPTS times,
// 1 s apart (reloadPause), and answers only after it saw the new HAProxy (~0.5 s).
export function settings(env = process.env) {
  const attempts = envOf(env, 'RECONFIGURE_ATTEMPTS')
  const ms = (v, def) => (/^\d+$/.test(v ?? '') ? Number(v) : def)
  return {
    attempts: attempts ? atoi(attempts) : 20, // like Go's Atoi: nonsense means 0 attempts
    intervalMs: ms(env.RECONFIGURE_INTERVAL_MS, 1000),
    reloadMinMs: ms(env.RELOAD_MIN_MS, 500),
  }
}

export const paths = (env = process.env) => ({
  errorfiles: env.ERRORFILES_DIR || '/errorfiles',
  run: env.HAPROXY_RUN_DIR || '/var/run',
})
