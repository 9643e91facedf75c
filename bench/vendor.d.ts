// rbush 4 and rbush-knn 4 ship no types and no @types package is installed; only what the bench uses.
declare module 'rbush' {
  export interface BBox {
    minX: number;
    minY: number;
    maxX: number;
    maxY: number;
  }
  export default class RBush<T extends BBox> {
    constructor(maxEntries?: number);
    load(items: T[]): this;
    insert(item: T): this;
    remove(item: T): this;
    all(): T[];
  }
}

declare module 'rbush-knn' {
  import type RBush from 'rbush';
  import type { BBox } from 'rbush';
  export default function knn<T extends BBox>(
    tree: RBush<T>,
    x: number,
    y: number,
    n?: number,
    predicate?: (item: T) => boolean,
    maxDistance?: number,
  ): T[];
}
