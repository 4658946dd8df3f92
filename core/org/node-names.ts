/**
 * The org tree's names, kept per warm function instance, so the app's opening call (`org.me`) costs
 * one database read — the caller's own member document — instead of three.
 *
 * Why a cache of names and not of members: what the cache holds is only each org node's name and
 * type. Who the caller is, their role, branch, path and scope come from their member document, read
 * afresh on every call (core/fn/caller.ts), so a role or branch change takes effect at once, for
 * authorisation and on screen alike. A cached name can only be out of date after a node is renamed
 * (nodes are named when the tree is set up; no action renames one), and then for at most
 * NODE_NAMES_TTL_MS on an instance that loaded it before the rename.
 *
 * Why the whole tree: a district is ≈1,100 nodes above its 党小组 (which are on no member's path and
 * are left out), two reads of 1,000. Loading them all once per
 * instance per TTL costs a few reads an hour, where remembering only the paths seen would read on
 * most calls of a fresh instance (1,000 branches, most calls from a branch not yet seen). A tree too
 * big to hold (more than `maxNodes`) is not loaded whole; its names are then read and kept per path.
 * A node the cache does not have (created after the load) is read by id, so a name is never missing.
 */
import type { OrgNodeType } from './contracts';

export const NODE_NAMES_TTL_MS = 10 * 60_000;
/** the server's limit() maximum: one read returns at most this many nodes */
export const NODE_PAGE = 1000;
export const MAX_CACHED_NODES = 5 * NODE_PAGE;

export interface NodeName {
  _id: string;
  name: string;
  type: OrgNodeType;
}

/** How the cache reads: a page of the tree after an id (ascending _id), and nodes by id. */
export interface NodeNameReader {
  page(afterId: string | null, limit: number): Promise<NodeName[]>;
  byIds(ids: string[]): Promise<NodeName[]>;
}

export class NodeNameCache {
  private nodes = new Map<string, { node: NodeName; at: number }>();
  private treeLoadedAt = -Infinity;
  /** the tree was found bigger than maxNodes: keep names per path instead */
  private tooBig = false;

  constructor(
    private readonly ttlMs = NODE_NAMES_TTL_MS,
    private readonly maxNodes = MAX_CACHED_NODES,
  ) {}

  /** The nodes of `ids` that exist, by id, none older than the TTL. */
  async lookup(ids: readonly string[], nowMs: number, read: NodeNameReader): Promise<Map<string, NodeName>> {
    const wanted = [...new Set(ids.filter(Boolean))];
    const out = new Map<string, NodeName>();
    if (!wanted.length) return out;
    const fresh = (id: string) => {
      const hit = this.nodes.get(id);
      return hit && nowMs - hit.at < this.ttlMs ? hit.node : null;
    };
    if (!this.tooBig && nowMs - this.treeLoadedAt >= this.ttlMs && wanted.some((id) => !fresh(id))) await this.loadTree(nowMs, read);
    const missing = wanted.filter((id) => !fresh(id));
    if (missing.length) {
      const found = await read.byIds(missing);
      // per-path mode on a very big tree: memory stays bounded, the next calls read again
      if (this.nodes.size + found.length > this.maxNodes) this.nodes.clear();
      for (const n of found) this.nodes.set(n._id, { node: n, at: nowMs });
      // a node asked for and not found is not remembered: it may be created a moment later
    }
    for (const id of wanted) {
      const n = fresh(id);
      if (n) out.set(id, n);
    }
    return out;
  }

  /** Forgets everything (tests; a process that knows a rename happened). */
  clear(): void {
    this.nodes.clear();
    this.treeLoadedAt = -Infinity;
    this.tooBig = false;
  }

  private async loadTree(nowMs: number, read: NodeNameReader): Promise<void> {
    const loaded: NodeName[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await read.page(after, NODE_PAGE);
      loaded.push(...page);
      if (loaded.length > this.maxNodes) {
        // too big to hold whole: names are read per path from now on
        this.tooBig = true;
        return;
      }
      if (page.length < NODE_PAGE) break;
      after = page[page.length - 1]._id;
    }
    // a node deleted since the last load must not linger past its TTL
    this.nodes.clear();
    this.treeLoadedAt = nowMs;
    for (const n of loaded) this.nodes.set(n._id, { node: n, at: nowMs });
  }
}
