// Labels CSV: one row per image with its file name and class label.
import { PeakPruneError } from '../errors';

/** Column names that mark the first row as a header, compared in lower case. */
const FILE_HEADERS = new Set(['file', 'filename', 'file_name', 'filepath', 'file_path', 'path', 'image', 'image_name', 'image_id', 'img', 'name', 'id']);
const LABEL_HEADERS = new Set(['label', 'labels', 'class', 'class_name', 'classname', 'category', 'target', 'y']);

/** One row of a labels CSV. */
export interface LabelRow {
  /** File name or relative path as written, with backslashes turned into slashes. */
  file: string;
  label: string;
  /** 1-based line number of the row, for messages. */
  line: number;
}

/**
 * Splits CSV text into rows of fields (RFC 4180: double-quoted fields may contain the delimiter,
 * line breaks and "" for a quote). The delimiter is a comma, unless the first line has none and
 * has a semicolon or a tab. A byte-order mark and blank lines are dropped.
 * Throws `invalid-images` naming the file when a quoted field is not closed.
 */
export function parseCsv(text: string, fileName: string): { fields: string[]; line: number }[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const delimiter = detectDelimiter(body);
  const rows: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0].trim() !== '') rows.push({ fields, line: rowLine });
    fields = [];
    field = '';
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (quoted) {
      if (char === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        if (char === '\n') line++;
        field += char;
      }
    } else if (char === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && body[i + 1] === '\n') i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += char;
    }
  }
  if (quoted) {
    throw new PeakPruneError('invalid-images', `${fileName}: a quoted field that starts on line ${rowLine} is never closed; add the closing quote.`);
  }
  if (field !== '' || fields.length > 0) endRow();
  return rows;
}

function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r|\n|$/));
  if (firstLine.includes(',')) return ',';
  if (firstLine.includes(';')) return ';';
  if (firstLine.includes('\t')) return '\t';
  return ',';
}

/**
 * Parses a labels CSV. The first column is the image's file name or relative path, the second
 * its label (a class name or a class index), and further columns are ignored. The first row is a
 * header, and skipped, when its first cell is a usual file-column name (file, filename, path,
 * image, ...) or its second cell a usual label-column name (label, class, category, ...).
 * Throws `invalid-images` naming the file and line of a row without a label, of a file listed
 * twice with different labels, or when no row remains.
 */
export function parseLabelCsv(text: string, fileName: string): LabelRow[] {
  const rows = parseCsv(text, fileName);
  if (rows.length > 0 && isHeader(rows[0].fields)) rows.shift();

  const seen = new Map<string, LabelRow>();
  const result: LabelRow[] = [];
  for (const { fields, line } of rows) {
    const file = (fields[0] ?? '').trim().replaceAll('\\', '/');
    const label = (fields[1] ?? '').trim();
    if (file === '' || label === '') {
      throw new PeakPruneError('invalid-images', `${fileName} line ${line}: expected a file name and a label separated by a comma; fix or delete that line.`);
    }
    const earlier = seen.get(file);
    if (earlier !== undefined && earlier.label !== label) {
      throw new PeakPruneError(
        'invalid-images',
        `${fileName} line ${line}: ${file} is labelled "${label}" but line ${earlier.line} labels it "${earlier.label}"; keep one label per file.`,
      );
    }
    if (earlier !== undefined) continue;
    const row = { file, label, line };
    seen.set(file, row);
    result.push(row);
  }
  if (result.length === 0) {
    throw new PeakPruneError('invalid-images', `${fileName} lists no images; add one line per image with its file name and label.`);
  }
  return result;
}

function isHeader(fields: readonly string[]): boolean {
  const first = (fields[0] ?? '').trim().toLowerCase();
  const second = (fields[1] ?? '').trim().toLowerCase();
  return FILE_HEADERS.has(first) || LABEL_HEADERS.has(second);
}
