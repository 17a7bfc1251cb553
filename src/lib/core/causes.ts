/**
 * Failures across nodes, said once per cause: a cause common to every node ("cannot read SSH
 * config X") is one entry naming the nodes it hit, not one line per node. Causes that differ keep
 * their own entries, in the order first seen.
 */
export interface Cause<T = undefined> {
  cause: string
  who: string[]
  /** The first item with this cause (for extra fields such as a hint). */
  first: T
}

export function groupByCause<T extends {cause: string; who: string}>(items: T[]): Cause<T>[] {
  const groups = new Map<string, Cause<T>>()
  for (const item of items) {
    const group = groups.get(item.cause)
    if (group) {
      if (!group.who.includes(item.who)) group.who.push(item.who)
    } else {
      groups.set(item.cause, {cause: item.cause, who: [item.who], first: item})
    }
  }

  return [...groups.values()]
}

/** "cause (node-1, node-2); other cause (node-3)" when a cause is shared, else "node: cause" per item. */
export function describeCauses(items: {cause: string; who: string}[]): string {
  return groupByCause(items)
    .map((g) => (g.who.length > 1 ? `${g.cause} (${g.who.join(', ')})` : `${g.who[0]}: ${g.cause}`))
    .join('; ')
}
