/**
 * Registers every op: importing this module once makes the whole catalog of docs/ir.md available
 * through getOp/allOps. Each family file registers its ops as a side effect of being imported.
 */
import './structural.ts';
import './elementwise.ts';
import './binary.ts';
import './shape.ts';
import './reduce.ts';
import './linalg.ts';
import './conv.ts';
import './norm.ts';
import './attention.ts';
import './embedding.ts';
import './random.ts';

export { allOps, getOp, hasOp, opCost } from './registry.ts';
