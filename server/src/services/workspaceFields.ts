/**
 * The editor's field knowledge: the settings that shape the unknown-field diagnostics
 * (`eqlWorkbench.unknownFieldSeverity`, `eqlWorkbench.mappings`) and the field catalogue of each
 * open rule, rebuilt only when its inputs change (so the "did you mean" memo survives keystrokes).
 * No LSP connection here: the server passes settings in and reads diagnostics options out.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldMapping } from '../engine/mapping';
import type { UnknownFieldSeverity } from '../eql/fieldCheck';
import { readMappingFile } from '../cli/mappingFile';
import { ecsFieldSource, type FieldCatalog, type FieldSource } from '../schema/fieldCatalog';
import { ruleDataSources } from '../schema/detectionRulesSchemas';
import type { DiagnosticsOptions } from './diagnostics';
import { fieldCatalogFor } from './fieldKnowledge';
import { mappingCheckOptions } from '../eql/mappingCheckOptions';

/** The settings read from the client (`eqlWorkbench.*`). */
export interface FieldSettings {
  /** `eqlWorkbench.unknownFieldSeverity`: `error`, `warning` (default), `information`, `hint` or `off`. */
  unknownFieldSeverity?: unknown;
  /** `eqlWorkbench.mappings`: mapping files, absolute or relative to the first workspace folder. */
  mappings?: unknown;
}

const SEVERITIES: readonly UnknownFieldSeverity[] = ['error', 'warning', 'information', 'hint', 'off'];

/** Field knowledge of the workspace, for every open rule. */
export class WorkspaceFields {
  private severity: UnknownFieldSeverity = 'warning';
  private mappings: FieldMapping[] = [];
  private samples: FieldSource | undefined;
  /** Bumped whenever an input of the catalogues changes. */
  private generation = 0;
  private readonly catalogs = new Map<string, { key: string; catalog: FieldCatalog }>();

  /** @param workspaceRoot the folder relative mapping paths are read from (a path or `file:` URI). */
  constructor(private workspaceRoot?: string) {}

  /**
   * Applies new settings: the severity at once, the mapping files read from disk.
   * @returns the problems met (`path: cannot use as mapping: reason`), for the server's log.
   */
  async applySettings(settings: FieldSettings): Promise<string[]> {
    const severity = settings.unknownFieldSeverity;
    this.severity = SEVERITIES.includes(severity as UnknownFieldSeverity) ? (severity as UnknownFieldSeverity) : 'warning';
    const files = Array.isArray(settings.mappings) ? settings.mappings.filter((m): m is string => typeof m === 'string' && m !== '') : [];
    const problems: string[] = [];
    const mappings: FieldMapping[] = [];
    for (const file of files) {
      const read = await readMappingFile(this.resolve(file));
      if (read.mapping) mappings.push(read.mapping);
      else problems.push(read.error);
    }
    this.mappings = mappings;
    this.generation++;
    return problems;
  }

  /** Replaces the fields learnt from the samples (undefined: none). */
  setSampleFields(samples: FieldSource | undefined): void {
    this.samples = samples;
    this.generation++;
  }

  /** Loads ECS and its "did you mean" index ahead of the first check (≈0.2 s, once per process). */
  warm(): void {
    ecsFieldSource().deletions();
  }

  /** Forgets the catalogue of a closed document. */
  forget(uri: string): void {
    this.catalogs.delete(uri);
  }

  /**
   * The diagnostics options for a rule document.
   * @param uri the document's URI (a `file:` URI finds a detection-rules checkout around it).
   * @param tomlText the TOML text of a detection-rules rule; undefined for `.eql`.
   */
  diagnosticsOptions(uri: string, tomlText?: string): DiagnosticsOptions {
    const sources = tomlText === undefined ? '' : JSON.stringify(ruleDataSources(tomlText));
    const key = `${this.generation}|${sources}`;
    let entry = this.catalogs.get(uri);
    if (!entry || entry.key !== key) {
      const catalog = fieldCatalogFor({ file: uri, tomlText, mappings: this.mappings, samples: this.samples });
      entry = { key, catalog };
      this.catalogs.set(uri, entry);
    }
    // Field types from the first mapping feed the checker's type rules; unknown fields are the
    // catalogue's business (warnings), not the checker's (errors).
    const check = this.mappings.length > 0 ? { ...mappingCheckOptions(this.mappings[0]), fieldExists: undefined, knownFields: undefined } : undefined;
    return { fields: entry.catalog, unknownFieldSeverity: this.severity, check };
  }

  private resolve(file: string): string {
    if (path.isAbsolute(file) || !this.workspaceRoot) return file;
    const root = this.workspaceRoot.startsWith('file:') ? fileURLToPath(this.workspaceRoot) : this.workspaceRoot;
    return path.join(root, file);
  }
}
