import type {Nodes} from 'hast';
import {toHtml} from 'hast-util-to-html';
import {escapeHtml} from './escape.js';

/**
 * Serializes a hast tree with every text escaped by {@link escapeHtml} (`<`, `>`, `&`, quotes), where
 * hast-util-to-html leaves `>` raw: valid HTML, but validators and diff readers flag it. `raw` nodes
 * already in the tree (HTML this stage built and escaped) pass through.
 */
export function hastToHtml(tree: Nodes): string {
  return toHtml(escapeTexts(tree), {allowDangerousHtml: true});
}

function escapeTexts(node: Nodes): Nodes {
  if (node.type === 'text') return {type: 'raw', value: escapeHtml(node.value)} as Nodes;
  if (node.type === 'element' || node.type === 'root') {
    return {...node, children: node.children.map((child) => escapeTexts(child))} as Nodes;
  }
  return node;
}
