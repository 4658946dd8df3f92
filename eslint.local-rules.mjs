// Rules this codebase needs that no published plugin has.
//
// no-type-import-cycle: `import-x/no-cycle` skips `import type` edges on purpose (they vanish at
// run time), yet a cycle through a type import still ties two modules together: neither can move
// or be read alone. This rule reports every relative import cycle that passes through at least one
// type-only import, at that import. Pure value cycles stay with `import-x/no-cycle`, so nothing is
// reported twice.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const CODE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const SUFFIXES = ['', '.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js'];

/** file → { mtimeMs, edges }, kept across the files of one lint run (and refreshed when a file changes). */
const graph = new Map();
/** absolute specifier → file, for one lint run (a new file needs a new run, as for import-x). */
const resolved = new Map();

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A relative specifier to the source file it names; bare specifiers are packages, never in a cycle. */
function resolve(from, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), spec);
  if (resolved.has(base)) return resolved.get(base);
  const candidates = SUFFIXES.map((s) => base + s);
  if (/\.[cm]?js$/.test(base)) candidates.push(base.replace(/js$/, 'ts'), base.replace(/\.[cm]?js$/, '.tsx'));
  const hit = candidates.find((c) => CODE.test(c) && isFile(c)) ?? null;
  resolved.set(base, hit);
  return hit;
}

function allTypeOnly(elements) {
  return elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** Every import, re-export, require() and import() of a file, with whether it carries types only. */
function edgesOf(file, text) {
  const kind = /\.[jt]sx$/.test(file) ? ts.ScriptKind.TSX : /\.[cm]?js$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
  const edges = [];
  const add = (spec, typeOnly) => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const target = resolve(file, spec.text);
    if (!target) return;
    const start = sf.getLineAndCharacterOfPosition(spec.getStart(sf));
    const end = sf.getLineAndCharacterOfPosition(spec.getEnd());
    edges.push({
      spec: spec.text,
      target,
      typeOnly,
      loc: { start: { line: start.line + 1, column: start.character }, end: { line: end.line + 1, column: end.character } },
    });
  };
  const visit = (n) => {
    if (ts.isImportDeclaration(n)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : null;
      add(n.moduleSpecifier, !!c && (c.isTypeOnly || (!c.name && !!named && allTypeOnly(named))));
    } else if (ts.isExportDeclaration(n)) {
      const named = n.exportClause && ts.isNamedExports(n.exportClause) ? n.exportClause.elements : null;
      add(n.moduleSpecifier, n.isTypeOnly || (!!named && allTypeOnly(named)));
    } else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) {
      add(n.moduleReference.expression, n.isTypeOnly);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) {
      add(n.argument.literal, true);
    } else if (
      ts.isCallExpression(n) &&
      n.arguments.length >= 1 &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))
    ) {
      add(n.arguments[0], false);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return edges;
}

function edgesOnDisk(file) {
  let mtimeMs;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const hit = graph.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.edges;
  const edges = edgesOf(file, fs.readFileSync(file, 'utf8'));
  graph.set(file, { mtimeMs, edges });
  return edges;
}

/** The shortest import path from `start` back to `goal` (as a list of files), or null. */
function pathBack(start, goal) {
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const f = queue.shift();
    for (const e of edgesOnDisk(f)) {
      if (e.target === goal) {
        const route = [f];
        for (let p = prev.get(f); p; p = prev.get(p)) route.unshift(p);
        return route;
      }
      if (!prev.has(e.target)) {
        prev.set(e.target, f);
        queue.push(e.target);
      }
    }
  }
  return null;
}

const noTypeImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles that pass through a type-only import' },
    schema: [],
    messages: { cycle: 'Import cycle through this type import: {{route}}. Move the shared type to a module both can import.' },
  },
  create(context) {
    const file = context.physicalFilename;
    if (!path.isAbsolute(file)) return {};
    return {
      'Program:exit'() {
        for (const e of edgesOf(file, context.sourceCode.text)) {
          if (!e.typeOnly || e.target === file) continue;
          const route = pathBack(e.target, file);
          if (!route) continue;
          const rel = (p) => path.relative(context.cwd, p);
          context.report({ loc: e.loc, messageId: 'cycle', data: { route: [file, ...route, file].map(rel).join(' → ') } });
        }
      },
    };
  },
};

export default {
  meta: { name: 'local' },
  rules: { 'no-type-import-cycle': noTypeImportCycle },
};
