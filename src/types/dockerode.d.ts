// dockerode 5 ships no types and @types/dockerode describes v4; swarmnet keeps it behind its own
// Engine interface, so this declares only the surface the adapter touches, loosely.
declare module 'dockerode' {
  type Callback = (error: Error | null, result?: unknown) => void
  interface Handle {
    inspect(options?: Record<string, unknown>): Promise<unknown>
    remove(options?: Record<string, unknown>): Promise<unknown>
  }
  interface ServiceHandle extends Handle {
    update(options: Record<string, unknown>): Promise<unknown>
  }
  interface ExecHandle {
    start(options: Record<string, unknown>): Promise<NodeJS.ReadableStream & {destroy(): void}>
    inspect(): Promise<unknown>
  }
  interface ContainerHandle extends Handle {
    id: string
    start(): Promise<unknown>
    exec(options: Record<string, unknown>): Promise<ExecHandle>
    getArchive(options: Record<string, unknown>): Promise<NodeJS.ReadableStream>
  }
  class Docker {
    constructor(options: Record<string, unknown>)
    modem: {
      followProgress(stream: NodeJS.ReadableStream, done: (error: Error | null, output: unknown[]) => void): void
      demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void
    }
    ping(): Promise<unknown>
    info(): Promise<unknown>
    listNodes(options?: Record<string, unknown>): Promise<unknown[]>
    listNetworks(options?: Record<string, unknown>): Promise<unknown[]>
    getNetwork(id: string): Handle
    createNetwork(options: Record<string, unknown>): Promise<{id: string}>
    listServices(options?: Record<string, unknown>): Promise<unknown[]>
    getService(id: string): ServiceHandle
    createService(options: Record<string, unknown>): Promise<unknown>
    listTasks(options?: Record<string, unknown>): Promise<unknown[]>
    listContainers(options?: Record<string, unknown>): Promise<unknown[]>
    getContainer(id: string): ContainerHandle
    createContainer(options: Record<string, unknown>): Promise<ContainerHandle>
    getImage(name: string): Handle
    swarmInit(options: Record<string, unknown>): Promise<unknown>
    swarmJoin(options: Record<string, unknown>): Promise<unknown>
    swarmInspect(): Promise<unknown>
    importImage(file: NodeJS.ReadableStream, options: Record<string, unknown>, callback?: Callback): Promise<NodeJS.ReadableStream>
    listImages(options?: Record<string, unknown>): Promise<unknown[]>
  }
  export default Docker
}
