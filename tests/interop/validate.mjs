// Validate files with @trustnxt/c2pa-ts, an implementation that shares no code with c2pa-rs.
// Usage: node validate.mjs FILE...   ->  one JSON line per file: {file, format, manifest, valid, codes}
// c2pa-ts reports "trusted" even with no trust list, so handmade uses it for integrity, not for trust.
import * as fs from 'node:fs/promises';
import { BMFF, JPEG, PNG } from '@trustnxt/c2pa-ts/asset';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import { ManifestStore, ValidationResult } from '@trustnxt/c2pa-ts/manifest';

for (const file of process.argv.slice(2)) {
    const out = { file, format: null, manifest: false, valid: false, codes: [] };
    try {
        const buf = await fs.readFile(file);
        let asset = null;
        if (JPEG.canRead(buf)) { asset = new JPEG(buf); out.format = 'jpeg'; }
        else if (PNG.canRead(buf)) { asset = new PNG(buf); out.format = 'png'; }
        else if (BMFF.canRead(buf)) { asset = new BMFF(buf); out.format = 'bmff'; }
        if (asset) {
            const jumbf = asset.getManifestJUMBF();
            if (jumbf) {
                out.manifest = true;
                let result;
                try {
                    const store = ManifestStore.read(SuperBox.fromBuffer(jumbf));
                    result = await store.validate(asset);
                } catch (e) {
                    result = ValidationResult.fromError(e);
                }
                out.valid = result.isValid;
                out.codes = result.statusEntries.filter(e => !e.success).map(e => e.code);
            }
        }
    } catch (e) {
        out.codes = ['error: ' + String(e && e.message || e)];
    }
    console.log(JSON.stringify(out));
}
