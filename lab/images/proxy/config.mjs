// What the real docker-flow-proxy does with a request's parameters and how it writes
// haproxy.cfg, imitated closely enough that a client meets the same answers and the same
// file: field names, order and zero values of its JSON (proxy.Service / ServiceDest),
// which parameters are read case-insensitively from query+form and which only by their
// exact name from the URL query, and the text and blank lines of its templates.
//
// One module for the server (and the tests) to import; the work is in environment.mjs (the
// image's ENV and secrets), go.mjs (Go's conversions), service.mjs (request → proxy.Service,
// validation), backend.mjs (<aclName>-be.cfg) and haproxy-cfg.mjs (haproxy.cfg).
export { envOf, paths, secretOr, settings } from './environment.mjs'
export { goJson, parseBool, parseQuery } from './go.mjs'
export { emptyService, RELOAD_FIELDS, REMOVE_FIELDS, response, schemaDecode, serviceFromRequest, validate } from './service.mjs'
export { backendFile, prepareService } from './backend.mjs'
export { bakedConfig, compareServices, renderConfig } from './haproxy-cfg.mjs'
