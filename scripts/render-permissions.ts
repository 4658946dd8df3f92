/** Copies docs/permissions.md's table into the README between the permissions markers. */
import fs from 'fs';
import { PERMISSIONS_FILE, README_FILE, renderIntoReadme } from '../test/trust/permissions';

const readme = fs.readFileSync(README_FILE, 'utf8');
const next = renderIntoReadme(readme, fs.readFileSync(PERMISSIONS_FILE, 'utf8'));
if (next !== readme) fs.writeFileSync(README_FILE, next);
console.log(next === readme ? 'README permission table already current' : 'README permission table updated');
