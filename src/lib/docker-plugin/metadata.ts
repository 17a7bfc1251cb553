/** What `docker-swarmnet docker-cli-plugin-metadata` prints: docker/cli's cli-plugins/metadata.Metadata. */
export interface PluginMetadata {
  SchemaVersion: '0.1.0'
  Vendor: string
  Version: string
  ShortDescription: string
  URL?: string
}

/** The docker CLI's metadata for this package: `docker --help` lists it as "swarmnet* ShortDescription (Vendor, Version)". */
export function pluginMetadata(pjson: {name: string; version: string; description?: string; homepage?: string}): PluginMetadata {
  // The description's headline, before its colon: one short line in docker's list of commands.
  const headline = (pjson.description ?? '').split(':')[0].trim()
  return {
    SchemaVersion: '0.1.0',
    Vendor: pjson.name,
    Version: pjson.version,
    ShortDescription: headline || 'Docker Swarm networking',
    ...(pjson.homepage ? {URL: pjson.homepage} : {}),
  }
}
