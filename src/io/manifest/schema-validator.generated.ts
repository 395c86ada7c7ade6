// @ts-nocheck
// Generated from schema/indexes.schema.json by schema/generate-validator.mjs (npm run build): do not edit.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const validate = validate20;
export default validate20;
const schema31 = {"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://github.com/pg-index-reconciler/pg-index-reconciler/schema/indexes.schema.json","title":"pg-index-reconciler manifest (indexes.yaml)","description":"Indexes as code for PostgreSQL: the indexes each table should have. `reconcile plan` shows what would change; `reconcile apply` makes the database match, online.","type":"object","additionalProperties":false,"required":["version","tables"],"properties":{"version":{"description":"Version of the manifest format. Always 1.","const":1},"defaults":{"description":"Defaults for every table in this file.","type":"object","additionalProperties":false,"properties":{"schema":{"description":"Schema of the table keys that name none (`users` means `<schema>.users`). Default: public. Taken literally, never case-folded.","type":"string","minLength":1},"prune":{"description":"Drop indexes that are not declared here from the declared tables (indexes backing constraints are never dropped). A table's own `prune` overrides it. Default: false.","type":"boolean"}}},"settings":{"description":"How `reconcile apply` runs. Command-line flags override these.","type":"object","additionalProperties":false,"properties":{"concurrency":{"description":"How many tables are worked on at once, each on its own connection. Default: 2.","type":"integer","minimum":1},"lockTimeout":{"$ref":"#/$defs/duration","description":"lock_timeout for short statements (drops, renames, comments, ON ONLY, ATTACH PARTITION); they are retried. Milliseconds, or a value like 500ms, 5s, 2min. Default: 5s."},"buildLockTimeout":{"$ref":"#/$defs/duration","description":"lock_timeout for concurrent index builds, whose waits for old snapshots count as lock waits: a short one kills builds half-way. 0 means no limit. Default: 0."},"statementTimeout":{"$ref":"#/$defs/duration","description":"statement_timeout for every statement. 0 means no limit (index builds can take hours). Default: 0."},"maintenanceWorkMem":{"$ref":"#/$defs/size","description":"maintenance_work_mem for index builds: bytes, or a value like 64MB, 512MB, 1GB. Default: the server's setting."},"maxParallelMaintenanceWorkers":{"description":"max_parallel_maintenance_workers for index builds. Default: the server's setting.","type":"integer","minimum":0},"retries":{"description":"How many times a statement is retried, with backoff, after a lock timeout, deadlock or serialization failure. Default: 3.","type":"integer","minimum":0},"analyzeAfterBuild":{"description":"Run ANALYZE on a table after building an expression index on it, so the planner can use the index at once. Default: true.","type":"boolean"},"allowLockingDrops":{"description":"Permit drops that cannot run concurrently (indexes on partitioned tables take an ACCESS EXCLUSIVE lock). Default: false.","type":"boolean"},"searchPath":{"description":"Schemas that resolve unqualified names in the manifest (functions, operators, types, operator classes, collations), after pg_catalog. Default: the search_path the connecting role gets in the database.","type":"array","items":{"type":"string","minLength":1},"uniqueItems":true},"citus":{"description":"Citus coordinators: how `reconcile apply` reaches the workers to show each one's build progress.","type":"object","additionalProperties":false,"properties":{"workerUrl":{"description":"Connection URL template for the workers, with {host} and {port} taken from pg_dist_node, e.g. postgres://monitor@{host}:{port}/app. Default: the coordinator's URL with the worker's host and port.","type":"string","minLength":1}}},"maxReplicaLag":{"$ref":"#/$defs/size","description":"Before each index build, wait while a streaming replica is more than this far behind (WAL it has yet to replay): bytes, or a value like 256MB, 1GB. Builds write their whole index to the WAL; this keeps replicas, and failover, close. 0 means no gate. Default: 0."},"maxReplicaLagWait":{"$ref":"#/$defs/duration","description":"How long one build waits for the replicas (maxReplicaLag) before that action fails; the others go on. A value like 30min, 1h. Default: 30min."}}},"budgets":{"description":"Limits that `reconcile status` reports against.","type":"object","additionalProperties":false,"properties":{"indexToTableRatio":{"description":"Largest acceptable size of a table's indexes relative to the table, e.g. 0.2 for 20%.","type":"number","exclusiveMinimum":0}}},"maintenance":{"$ref":"#/$defs/maintenance","description":"When `reconcile plan` rebuilds a declared, valid index with REINDEX INDEX CONCURRENTLY because it is bloated. A table's own `maintenance` overrides these fields. Default: never."},"tables":{"description":"The declared tables (or materialized views, or partitioned tables), by key: `name` or `schema.name`, taken literally (quote a part that contains a dot: `\"my.schema\".users`).","type":"object","additionalProperties":{"$ref":"#/$defs/table"}}},"$defs":{"table":{"description":"A declared table and the indexes it should have.","type":"object","additionalProperties":false,"properties":{"prune":{"description":"Drop this table's indexes that are not declared here (never constraint-backed ones). Overrides defaults.prune.","type":"boolean"},"indexes":{"description":"The table's indexes, by name. A name is at most 63 bytes and unique within its schema.","type":"object","additionalProperties":{"$ref":"#/$defs/index"}},"maintenance":{"$ref":"#/$defs/maintenance","description":"This table's reindex thresholds; each field overrides the top-level `maintenance`."}}},"index":{"description":"One index.","type":"object","additionalProperties":false,"required":["columns"],"properties":{"columns":{"description":"The key columns, in order: a column name (taken literally: `UserId` means \"UserId\") or { column | expression, opclass, opclassParams, collation, order, nulls }.","type":"array","minItems":1,"items":{"$ref":"#/$defs/columnEntry"}},"unique":{"description":"CREATE UNIQUE INDEX. Default: false.","type":"boolean"},"method":{"description":"Access method: btree (default), hash, gist, spgist, gin, brin, or one an extension adds (e.g. hnsw).","type":"string","minLength":1,"examples":["btree","hash","gist","spgist","gin","brin"]},"include":{"description":"Non-key columns stored in the index (INCLUDE), for index-only scans. Not key columns too.","type":"array","items":{"description":"A column name, taken literally.","type":"string","minLength":1}},"where":{"description":"Predicate of a partial index: one SQL expression (no `;`, no subquery), e.g. `refresh_token IS NOT NULL`.","type":"string","minLength":1},"with":{"description":"Storage parameters (WITH), e.g. { fillfactor: 90 }, in the order written.","type":"object","additionalProperties":{"description":"Value of the storage parameter.","type":["string","number","boolean"]}},"nullsNotDistinct":{"description":"NULLS NOT DISTINCT (PostgreSQL 15+): NULLs count as equal in a unique index. Needs unique: true.","type":"boolean"},"tablespace":{"description":"Tablespace of the index. Default: the database's default tablespace.","type":"string","minLength":1},"comment":{"description":"COMMENT ON INDEX: why this index exists.","type":"string"},"queries":{"description":"Queries this index is meant to serve; `reconcile check` runs them under EXPLAIN and fails when the planner does not use the index.","type":"array","items":{"$ref":"#/$defs/query"}}}},"columnEntry":{"description":"A key column: a column name (taken literally), or an object with exactly one of `column` / `expression`.","anyOf":[{"description":"A column name, taken literally.","type":"string","minLength":1},{"description":"A key column or expression with options.","type":"object","additionalProperties":false,"properties":{"column":{"description":"A column name, taken literally.","type":"string","minLength":1},"expression":{"description":"One SQL expression, e.g. `lower(email)` (no `;`, no subquery).","type":"string","minLength":1},"opclass":{"description":"Operator class, e.g. jsonb_path_ops, text_pattern_ops, gin_trgm_ops; `schema.name` where it must be qualified, a part in double quotes where it holds a dot or capitals (`\"MySchema\".my_ops`).","type":"string","minLength":1},"opclassParams":{"description":"Operator class parameters (PostgreSQL 13+), e.g. { siglen: 32 } for gist_trgm_ops (siglen = 32), in the order written. Needs `opclass`.","type":"object","additionalProperties":{"description":"Value of the operator class parameter.","type":["string","number","boolean"]}},"collation":{"description":"Collation, e.g. C, or `schema.name` (`pg_catalog.\"C\"`).","type":"string","minLength":1},"order":{"description":"Sort order: asc (default) or desc.","enum":["asc","desc"]},"nulls":{"description":"Where NULLs sort: first or last (default: last for asc, first for desc).","enum":["first","last"]}},"dependentRequired":{"opclassParams":["opclass"]},"oneOf":[{"type":"object","properties":{"column":true},"required":["column"]},{"type":"object","properties":{"expression":true},"required":["expression"]}]}]},"query":{"description":"A query the index serves.","type":"object","additionalProperties":false,"required":["sql"],"properties":{"sql":{"description":"Exactly one SELECT statement; it may use parameters $1, $2, … as the application sends them.","type":"string","minLength":1},"params":{"description":"Values for the query's parameters $1…$n, one for each, as the application would bind them, e.g. [42, 'live']. Without them `reconcile check` uses a generic plan (PostgreSQL 16+).","type":"array","items":{"type":["string","number","boolean","null"]}},"p95":{"$ref":"#/$defs/duration","description":"Budget for the query's 95th percentile under `reconcile check --analyze`: milliseconds, or a value like 50ms, 2s."},"category":{"description":"The deployment guide's kind of query, for the summary of `reconcile check --analyze --baseline`: common (p95 < 50 ms), search (< 200 ms), analytics (< 500 ms). Without it, the p95 budget decides: up to 50ms common, up to 200ms search, up to 500ms analytics.","enum":["common","search","analytics"]}}},"maintenance":{"description":"Reindex thresholds for bloated indexes.","type":"object","additionalProperties":false,"properties":{"maxBloat":{"$ref":"#/$defs/percent","description":"Reindex a declared, valid index (REINDEX INDEX CONCURRENTLY) when more than this share of it is wasted space, e.g. 40%. btree indexes are estimated from statistics; with --exact-bloat and the pgstattuple extension, btree, hash and gist indexes are measured. Unset: never."},"minBloatSize":{"$ref":"#/$defs/size","description":"Ignore wasted space below this, e.g. 64MB. Default: 1MB."}}},"percent":{"description":"A percentage, like 40% or 12.5%.","type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$"},"duration":{"description":"A duration: a number of milliseconds, or a value like 500ms, 5s, 2min, 1h (PostgreSQL units ms, s, min, h, d).","anyOf":[{"type":"number","minimum":0},{"type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"}]},"size":{"description":"A size: a number of bytes, or a value like 64kB, 512MB, 1GB (PostgreSQL units B, kB, MB, GB, TB).","anyOf":[{"type":"number","minimum":0},{"type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"}]}}};
const schema32 = {"description":"A duration: a number of milliseconds, or a value like 500ms, 5s, 2min, 1h (PostgreSQL units ms, s, min, h, d).","anyOf":[{"type":"number","minimum":0},{"type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"}]};
const schema35 = {"description":"A size: a number of bytes, or a value like 64kB, 512MB, 1GB (PostgreSQL units B, kB, MB, GB, TB).","anyOf":[{"type":"number","minimum":0},{"type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"}]};
const func1 = require("ajv/dist/runtime/ucs2length").default;
const func2 = Object.prototype.hasOwnProperty;
const pattern4 = new RegExp("^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$", "u");
const pattern7 = new RegExp("^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$", "u");
const schema38 = {"description":"Reindex thresholds for bloated indexes.","type":"object","additionalProperties":false,"properties":{"maxBloat":{"$ref":"#/$defs/percent","description":"Reindex a declared, valid index (REINDEX INDEX CONCURRENTLY) when more than this share of it is wasted space, e.g. 40%. btree indexes are estimated from statistics; with --exact-bloat and the pgstattuple extension, btree, hash and gist indexes are measured. Unset: never."},"minBloatSize":{"$ref":"#/$defs/size","description":"Ignore wasted space below this, e.g. 64MB. Default: 1MB."}}};
const schema39 = {"description":"A percentage, like 40% or 12.5%.","type":"string","pattern":"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$"};
const pattern10 = new RegExp("^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$", "u");

function validate21(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate21.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!((key0 === "maxBloat") || (key0 === "minBloatSize"))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema38,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.maxBloat !== undefined){
let data0 = data.maxBloat;
if(typeof data0 === "string"){
if(!pattern10.test(data0)){
const err1 = {instancePath:instancePath+"/maxBloat",schemaPath:"#/$defs/percent/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*%\\s*$",parentSchema:schema39,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
else {
const err2 = {instancePath:instancePath+"/maxBloat",schemaPath:"#/$defs/percent/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema39.type,parentSchema:schema39,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.minBloatSize !== undefined){
let data1 = data.minBloatSize;
const _errs7 = errors;
let valid3 = false;
const _errs8 = errors;
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 < 0 || isNaN(data1)){
const err3 = {instancePath:instancePath+"/minBloatSize",schemaPath:"#/$defs/size/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema35.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/minBloatSize",schemaPath:"#/$defs/size/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema35.anyOf[0].type,parentSchema:schema35.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
var _valid0 = _errs8 === errors;
valid3 = valid3 || _valid0;
const _errs10 = errors;
if(typeof data1 === "string"){
if(!pattern7.test(data1)){
const err5 = {instancePath:instancePath+"/minBloatSize",schemaPath:"#/$defs/size/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$",parentSchema:schema35.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/minBloatSize",schemaPath:"#/$defs/size/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.anyOf[1].type,parentSchema:schema35.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
var _valid0 = _errs10 === errors;
valid3 = valid3 || _valid0;
if(!valid3){
const err7 = {instancePath:instancePath+"/minBloatSize",schemaPath:"#/$defs/size/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema35.anyOf,parentSchema:schema35,data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
else {
errors = _errs7;
if(vErrors !== null){
if(_errs7){
vErrors.length = _errs7;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err8 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema38.type,parentSchema:schema38,data};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
validate21.errors = vErrors;
return errors === 0;
}
validate21.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

const schema41 = {"description":"A declared table and the indexes it should have.","type":"object","additionalProperties":false,"properties":{"prune":{"description":"Drop this table's indexes that are not declared here (never constraint-backed ones). Overrides defaults.prune.","type":"boolean"},"indexes":{"description":"The table's indexes, by name. A name is at most 63 bytes and unique within its schema.","type":"object","additionalProperties":{"$ref":"#/$defs/index"}},"maintenance":{"$ref":"#/$defs/maintenance","description":"This table's reindex thresholds; each field overrides the top-level `maintenance`."}}};
const schema42 = {"description":"One index.","type":"object","additionalProperties":false,"required":["columns"],"properties":{"columns":{"description":"The key columns, in order: a column name (taken literally: `UserId` means \"UserId\") or { column | expression, opclass, opclassParams, collation, order, nulls }.","type":"array","minItems":1,"items":{"$ref":"#/$defs/columnEntry"}},"unique":{"description":"CREATE UNIQUE INDEX. Default: false.","type":"boolean"},"method":{"description":"Access method: btree (default), hash, gist, spgist, gin, brin, or one an extension adds (e.g. hnsw).","type":"string","minLength":1,"examples":["btree","hash","gist","spgist","gin","brin"]},"include":{"description":"Non-key columns stored in the index (INCLUDE), for index-only scans. Not key columns too.","type":"array","items":{"description":"A column name, taken literally.","type":"string","minLength":1}},"where":{"description":"Predicate of a partial index: one SQL expression (no `;`, no subquery), e.g. `refresh_token IS NOT NULL`.","type":"string","minLength":1},"with":{"description":"Storage parameters (WITH), e.g. { fillfactor: 90 }, in the order written.","type":"object","additionalProperties":{"description":"Value of the storage parameter.","type":["string","number","boolean"]}},"nullsNotDistinct":{"description":"NULLS NOT DISTINCT (PostgreSQL 15+): NULLs count as equal in a unique index. Needs unique: true.","type":"boolean"},"tablespace":{"description":"Tablespace of the index. Default: the database's default tablespace.","type":"string","minLength":1},"comment":{"description":"COMMENT ON INDEX: why this index exists.","type":"string"},"queries":{"description":"Queries this index is meant to serve; `reconcile check` runs them under EXPLAIN and fails when the planner does not use the index.","type":"array","items":{"$ref":"#/$defs/query"}}}};
const schema43 = {"description":"A key column: a column name (taken literally), or an object with exactly one of `column` / `expression`.","anyOf":[{"description":"A column name, taken literally.","type":"string","minLength":1},{"description":"A key column or expression with options.","type":"object","additionalProperties":false,"properties":{"column":{"description":"A column name, taken literally.","type":"string","minLength":1},"expression":{"description":"One SQL expression, e.g. `lower(email)` (no `;`, no subquery).","type":"string","minLength":1},"opclass":{"description":"Operator class, e.g. jsonb_path_ops, text_pattern_ops, gin_trgm_ops; `schema.name` where it must be qualified, a part in double quotes where it holds a dot or capitals (`\"MySchema\".my_ops`).","type":"string","minLength":1},"opclassParams":{"description":"Operator class parameters (PostgreSQL 13+), e.g. { siglen: 32 } for gist_trgm_ops (siglen = 32), in the order written. Needs `opclass`.","type":"object","additionalProperties":{"description":"Value of the operator class parameter.","type":["string","number","boolean"]}},"collation":{"description":"Collation, e.g. C, or `schema.name` (`pg_catalog.\"C\"`).","type":"string","minLength":1},"order":{"description":"Sort order: asc (default) or desc.","enum":["asc","desc"]},"nulls":{"description":"Where NULLs sort: first or last (default: last for asc, first for desc).","enum":["first","last"]}},"dependentRequired":{"opclassParams":["opclass"]},"oneOf":[{"type":"object","properties":{"column":true},"required":["column"]},{"type":"object","properties":{"expression":true},"required":["expression"]}]}]};
const schema44 = {"description":"A query the index serves.","type":"object","additionalProperties":false,"required":["sql"],"properties":{"sql":{"description":"Exactly one SELECT statement; it may use parameters $1, $2, … as the application sends them.","type":"string","minLength":1},"params":{"description":"Values for the query's parameters $1…$n, one for each, as the application would bind them, e.g. [42, 'live']. Without them `reconcile check` uses a generic plan (PostgreSQL 16+).","type":"array","items":{"type":["string","number","boolean","null"]}},"p95":{"$ref":"#/$defs/duration","description":"Budget for the query's 95th percentile under `reconcile check --analyze`: milliseconds, or a value like 50ms, 2s."},"category":{"description":"The deployment guide's kind of query, for the summary of `reconcile check --analyze --baseline`: common (p95 < 50 ms), search (< 200 ms), analytics (< 500 ms). Without it, the p95 budget decides: up to 50ms common, up to 200ms search, up to 500ms analytics.","enum":["common","search","analytics"]}}};

function validate25(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate25.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.sql === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "sql"},message:"must have required property '"+"sql"+"'",schema:schema44.required,parentSchema:schema44,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "sql") || (key0 === "params")) || (key0 === "p95")) || (key0 === "category"))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema44,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.sql !== undefined){
let data0 = data.sql;
if(typeof data0 === "string"){
if(func1(data0) < 1){
const err2 = {instancePath:instancePath+"/sql",schemaPath:"#/properties/sql/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema44.properties.sql,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
else {
const err3 = {instancePath:instancePath+"/sql",schemaPath:"#/properties/sql/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema44.properties.sql.type,parentSchema:schema44.properties.sql,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.params !== undefined){
let data1 = data.params;
if(Array.isArray(data1)){
const len0 = data1.length;
for(let i0=0; i0<len0; i0++){
let data2 = data1[i0];
if((((typeof data2 !== "string") && (!((typeof data2 == "number") && (isFinite(data2))))) && (typeof data2 !== "boolean")) && (data2 !== null)){
const err4 = {instancePath:instancePath+"/params/" + i0,schemaPath:"#/properties/params/items/type",keyword:"type",params:{type: schema44.properties.params.items.type},message:"must be string,number,boolean,null",schema:schema44.properties.params.items.type,parentSchema:schema44.properties.params.items,data:data2};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
}
else {
const err5 = {instancePath:instancePath+"/params",schemaPath:"#/properties/params/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema44.properties.params.type,parentSchema:schema44.properties.params,data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.p95 !== undefined){
let data3 = data.p95;
const _errs10 = errors;
let valid4 = false;
const _errs11 = errors;
if((typeof data3 == "number") && (isFinite(data3))){
if(data3 < 0 || isNaN(data3)){
const err6 = {instancePath:instancePath+"/p95",schemaPath:"#/$defs/duration/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.anyOf[0],data:data3};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
else {
const err7 = {instancePath:instancePath+"/p95",schemaPath:"#/$defs/duration/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.anyOf[0].type,parentSchema:schema32.anyOf[0],data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
var _valid0 = _errs11 === errors;
valid4 = valid4 || _valid0;
const _errs13 = errors;
if(typeof data3 === "string"){
if(!pattern4.test(data3)){
const err8 = {instancePath:instancePath+"/p95",schemaPath:"#/$defs/duration/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$",parentSchema:schema32.anyOf[1],data:data3};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/p95",schemaPath:"#/$defs/duration/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.anyOf[1].type,parentSchema:schema32.anyOf[1],data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
var _valid0 = _errs13 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const err10 = {instancePath:instancePath+"/p95",schemaPath:"#/$defs/duration/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema32.anyOf,parentSchema:schema32,data:data3};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
else {
errors = _errs10;
if(vErrors !== null){
if(_errs10){
vErrors.length = _errs10;
}
else {
vErrors = null;
}
}
}
}
if(data.category !== undefined){
let data4 = data.category;
if(!(((data4 === "common") || (data4 === "search")) || (data4 === "analytics"))){
const err11 = {instancePath:instancePath+"/category",schemaPath:"#/properties/category/enum",keyword:"enum",params:{allowedValues: schema44.properties.category.enum},message:"must be equal to one of the allowed values",schema:schema44.properties.category.enum,parentSchema:schema44.properties.category,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
else {
const err12 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema44.type,parentSchema:schema44,data};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
validate25.errors = vErrors;
return errors === 0;
}
validate25.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate24(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate24.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.columns === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "columns"},message:"must have required property '"+"columns"+"'",schema:schema42.required,parentSchema:schema42,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
for(const key0 in data){
if(!(func2.call(schema42.properties, key0))){
const err1 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema42,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.columns !== undefined){
let data0 = data.columns;
if(Array.isArray(data0)){
if(data0.length < 1){
const err2 = {instancePath:instancePath+"/columns",schemaPath:"#/properties/columns/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema42.properties.columns,data:data0};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
const len0 = data0.length;
for(let i0=0; i0<len0; i0++){
let data1 = data0[i0];
const _errs6 = errors;
let valid4 = false;
const _errs7 = errors;
if(typeof data1 === "string"){
if(func1(data1) < 1){
const err3 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/0/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema43.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.anyOf[0].type,parentSchema:schema43.anyOf[0],data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
var _valid0 = _errs7 === errors;
valid4 = valid4 || _valid0;
const _errs9 = errors;
const _errs11 = errors;
let valid5 = false;
let passing0 = null;
const _errs12 = errors;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
if(data1.column === undefined){
const err5 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/oneOf/0/required",keyword:"required",params:{missingProperty: "column"},message:"must have required property '"+"column"+"'",schema:schema43.anyOf[1].oneOf[0].required,parentSchema:schema43.anyOf[1].oneOf[0],data:data1};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/oneOf/0/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema43.anyOf[1].oneOf[0].type,parentSchema:schema43.anyOf[1].oneOf[0],data:data1};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
var _valid1 = _errs12 === errors;
if(_valid1){
valid5 = true;
passing0 = 0;
var props0 = {};
props0.column = true;
}
const _errs14 = errors;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
if(data1.expression === undefined){
const err7 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/oneOf/1/required",keyword:"required",params:{missingProperty: "expression"},message:"must have required property '"+"expression"+"'",schema:schema43.anyOf[1].oneOf[1].required,parentSchema:schema43.anyOf[1].oneOf[1],data:data1};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
else {
const err8 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/oneOf/1/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema43.anyOf[1].oneOf[1].type,parentSchema:schema43.anyOf[1].oneOf[1],data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
var _valid1 = _errs14 === errors;
if(_valid1 && valid5){
valid5 = false;
passing0 = [passing0, 1];
}
else {
if(_valid1){
valid5 = true;
passing0 = 1;
if(props0 !== true){
props0 = props0 || {};
props0.expression = true;
}
}
}
if(!valid5){
const err9 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/oneOf",keyword:"oneOf",params:{passingSchemas: passing0},message:"must match exactly one schema in oneOf",schema:schema43.anyOf[1].oneOf,parentSchema:schema43.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
else {
errors = _errs11;
if(vErrors !== null){
if(_errs11){
vErrors.length = _errs11;
}
else {
vErrors = null;
}
}
}
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key1 in data1){
if(!(((((((key1 === "column") || (key1 === "expression")) || (key1 === "opclass")) || (key1 === "opclassParams")) || (key1 === "collation")) || (key1 === "order")) || (key1 === "nulls"))){
const err10 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema43.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
if(data1.column !== undefined){
let data2 = data1.column;
if(typeof data2 === "string"){
if(func1(data2) < 1){
const err11 = {instancePath:instancePath+"/columns/" + i0+"/column",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/column/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema43.anyOf[1].properties.column,data:data2};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
else {
const err12 = {instancePath:instancePath+"/columns/" + i0+"/column",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/column/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.anyOf[1].properties.column.type,parentSchema:schema43.anyOf[1].properties.column,data:data2};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
if(data1.expression !== undefined){
let data3 = data1.expression;
if(typeof data3 === "string"){
if(func1(data3) < 1){
const err13 = {instancePath:instancePath+"/columns/" + i0+"/expression",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/expression/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema43.anyOf[1].properties.expression,data:data3};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/columns/" + i0+"/expression",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/expression/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.anyOf[1].properties.expression.type,parentSchema:schema43.anyOf[1].properties.expression,data:data3};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data1.opclass !== undefined){
let data4 = data1.opclass;
if(typeof data4 === "string"){
if(func1(data4) < 1){
const err15 = {instancePath:instancePath+"/columns/" + i0+"/opclass",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/opclass/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema43.anyOf[1].properties.opclass,data:data4};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/columns/" + i0+"/opclass",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/opclass/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.anyOf[1].properties.opclass.type,parentSchema:schema43.anyOf[1].properties.opclass,data:data4};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data1.opclassParams !== undefined){
let data5 = data1.opclassParams;
if(data5 && typeof data5 == "object" && !Array.isArray(data5)){
for(const key2 in data5){
let data6 = data5[key2];
if(((typeof data6 !== "string") && (!((typeof data6 == "number") && (isFinite(data6))))) && (typeof data6 !== "boolean")){
const err17 = {instancePath:instancePath+"/columns/" + i0+"/opclassParams/" + key2.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/$defs/columnEntry/anyOf/1/properties/opclassParams/additionalProperties/type",keyword:"type",params:{type: schema43.anyOf[1].properties.opclassParams.additionalProperties.type},message:"must be string,number,boolean",schema:schema43.anyOf[1].properties.opclassParams.additionalProperties.type,parentSchema:schema43.anyOf[1].properties.opclassParams.additionalProperties,data:data6};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
}
else {
const err18 = {instancePath:instancePath+"/columns/" + i0+"/opclassParams",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/opclassParams/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema43.anyOf[1].properties.opclassParams.type,parentSchema:schema43.anyOf[1].properties.opclassParams,data:data5};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
if(data1.collation !== undefined){
let data7 = data1.collation;
if(typeof data7 === "string"){
if(func1(data7) < 1){
const err19 = {instancePath:instancePath+"/columns/" + i0+"/collation",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/collation/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema43.anyOf[1].properties.collation,data:data7};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/columns/" + i0+"/collation",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/collation/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema43.anyOf[1].properties.collation.type,parentSchema:schema43.anyOf[1].properties.collation,data:data7};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
}
if(data1.order !== undefined){
let data8 = data1.order;
if(!((data8 === "asc") || (data8 === "desc"))){
const err21 = {instancePath:instancePath+"/columns/" + i0+"/order",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/order/enum",keyword:"enum",params:{allowedValues: schema43.anyOf[1].properties.order.enum},message:"must be equal to one of the allowed values",schema:schema43.anyOf[1].properties.order.enum,parentSchema:schema43.anyOf[1].properties.order,data:data8};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
}
if(data1.nulls !== undefined){
let data9 = data1.nulls;
if(!((data9 === "first") || (data9 === "last"))){
const err22 = {instancePath:instancePath+"/columns/" + i0+"/nulls",schemaPath:"#/$defs/columnEntry/anyOf/1/properties/nulls/enum",keyword:"enum",params:{allowedValues: schema43.anyOf[1].properties.nulls.enum},message:"must be equal to one of the allowed values",schema:schema43.anyOf[1].properties.nulls.enum,parentSchema:schema43.anyOf[1].properties.nulls,data:data9};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data1.opclassParams !== undefined){
if(data1.opclass === undefined){
const err23 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/dependentRequired",keyword:"dependentRequired",params:{property: "opclassParams",
    missingProperty: "opclass",
    depsCount: 1,
    deps: "opclass"},message:"must have property opclass when property opclassParams is present",schema:schema43.anyOf[1].dependentRequired,parentSchema:schema43.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
}
else {
const err24 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf/1/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema43.anyOf[1].type,parentSchema:schema43.anyOf[1],data:data1};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
var _valid0 = _errs9 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const err25 = {instancePath:instancePath+"/columns/" + i0,schemaPath:"#/$defs/columnEntry/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema43.anyOf,parentSchema:schema43,data:data1};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
else {
errors = _errs6;
if(vErrors !== null){
if(_errs6){
vErrors.length = _errs6;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err26 = {instancePath:instancePath+"/columns",schemaPath:"#/properties/columns/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema42.properties.columns.type,parentSchema:schema42.properties.columns,data:data0};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
}
if(data.unique !== undefined){
let data10 = data.unique;
if(typeof data10 !== "boolean"){
const err27 = {instancePath:instancePath+"/unique",schemaPath:"#/properties/unique/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema42.properties.unique.type,parentSchema:schema42.properties.unique,data:data10};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
if(data.method !== undefined){
let data11 = data.method;
if(typeof data11 === "string"){
if(func1(data11) < 1){
const err28 = {instancePath:instancePath+"/method",schemaPath:"#/properties/method/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema42.properties.method,data:data11};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
else {
const err29 = {instancePath:instancePath+"/method",schemaPath:"#/properties/method/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema42.properties.method.type,parentSchema:schema42.properties.method,data:data11};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
if(data.include !== undefined){
let data12 = data.include;
if(Array.isArray(data12)){
const len1 = data12.length;
for(let i1=0; i1<len1; i1++){
let data13 = data12[i1];
if(typeof data13 === "string"){
if(func1(data13) < 1){
const err30 = {instancePath:instancePath+"/include/" + i1,schemaPath:"#/properties/include/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema42.properties.include.items,data:data13};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
else {
const err31 = {instancePath:instancePath+"/include/" + i1,schemaPath:"#/properties/include/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema42.properties.include.items.type,parentSchema:schema42.properties.include.items,data:data13};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
}
}
else {
const err32 = {instancePath:instancePath+"/include",schemaPath:"#/properties/include/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema42.properties.include.type,parentSchema:schema42.properties.include,data:data12};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
}
if(data.where !== undefined){
let data14 = data.where;
if(typeof data14 === "string"){
if(func1(data14) < 1){
const err33 = {instancePath:instancePath+"/where",schemaPath:"#/properties/where/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema42.properties.where,data:data14};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
else {
const err34 = {instancePath:instancePath+"/where",schemaPath:"#/properties/where/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema42.properties.where.type,parentSchema:schema42.properties.where,data:data14};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
if(data.with !== undefined){
let data15 = data.with;
if(data15 && typeof data15 == "object" && !Array.isArray(data15)){
for(const key3 in data15){
let data16 = data15[key3];
if(((typeof data16 !== "string") && (!((typeof data16 == "number") && (isFinite(data16))))) && (typeof data16 !== "boolean")){
const err35 = {instancePath:instancePath+"/with/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/with/additionalProperties/type",keyword:"type",params:{type: schema42.properties.with.additionalProperties.type},message:"must be string,number,boolean",schema:schema42.properties.with.additionalProperties.type,parentSchema:schema42.properties.with.additionalProperties,data:data16};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
else {
const err36 = {instancePath:instancePath+"/with",schemaPath:"#/properties/with/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema42.properties.with.type,parentSchema:schema42.properties.with,data:data15};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data.nullsNotDistinct !== undefined){
let data17 = data.nullsNotDistinct;
if(typeof data17 !== "boolean"){
const err37 = {instancePath:instancePath+"/nullsNotDistinct",schemaPath:"#/properties/nullsNotDistinct/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema42.properties.nullsNotDistinct.type,parentSchema:schema42.properties.nullsNotDistinct,data:data17};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data.tablespace !== undefined){
let data18 = data.tablespace;
if(typeof data18 === "string"){
if(func1(data18) < 1){
const err38 = {instancePath:instancePath+"/tablespace",schemaPath:"#/properties/tablespace/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema42.properties.tablespace,data:data18};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
else {
const err39 = {instancePath:instancePath+"/tablespace",schemaPath:"#/properties/tablespace/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema42.properties.tablespace.type,parentSchema:schema42.properties.tablespace,data:data18};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
if(data.comment !== undefined){
let data19 = data.comment;
if(typeof data19 !== "string"){
const err40 = {instancePath:instancePath+"/comment",schemaPath:"#/properties/comment/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema42.properties.comment.type,parentSchema:schema42.properties.comment,data:data19};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
}
if(data.queries !== undefined){
let data20 = data.queries;
if(Array.isArray(data20)){
const len2 = data20.length;
for(let i2=0; i2<len2; i2++){
if(!(validate25(data20[i2], {instancePath:instancePath+"/queries/" + i2,parentData:data20,parentDataProperty:i2,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate25.errors : vErrors.concat(validate25.errors);
errors = vErrors.length;
}
}
}
else {
const err41 = {instancePath:instancePath+"/queries",schemaPath:"#/properties/queries/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema42.properties.queries.type,parentSchema:schema42.properties.queries,data:data20};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
}
else {
const err42 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema42.type,parentSchema:schema42,data};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
validate24.errors = vErrors;
return errors === 0;
}
validate24.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate23(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
let vErrors = null;
let errors = 0;
const evaluated0 = validate23.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
for(const key0 in data){
if(!(((key0 === "prune") || (key0 === "indexes")) || (key0 === "maintenance"))){
const err0 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema41,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
}
if(data.prune !== undefined){
let data0 = data.prune;
if(typeof data0 !== "boolean"){
const err1 = {instancePath:instancePath+"/prune",schemaPath:"#/properties/prune/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema41.properties.prune.type,parentSchema:schema41.properties.prune,data:data0};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
}
if(data.indexes !== undefined){
let data1 = data.indexes;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key1 in data1){
if(!(validate24(data1[key1], {instancePath:instancePath+"/indexes/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data1,parentDataProperty:key1,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate24.errors : vErrors.concat(validate24.errors);
errors = vErrors.length;
}
}
}
else {
const err2 = {instancePath:instancePath+"/indexes",schemaPath:"#/properties/indexes/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema41.properties.indexes.type,parentSchema:schema41.properties.indexes,data:data1};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.maintenance !== undefined){
if(!(validate21(data.maintenance, {instancePath:instancePath+"/maintenance",parentData:data,parentDataProperty:"maintenance",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
}
else {
const err3 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema41.type,parentSchema:schema41,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
validate23.errors = vErrors;
return errors === 0;
}
validate23.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};


function validate20(data, {instancePath="", parentData, parentDataProperty, rootData=data, dynamicAnchors={}}={}){
/*# sourceURL="https://github.com/pg-index-reconciler/pg-index-reconciler/schema/indexes.schema.json" */;
let vErrors = null;
let errors = 0;
const evaluated0 = validate20.evaluated;
if(evaluated0.dynamicProps){
evaluated0.props = undefined;
}
if(evaluated0.dynamicItems){
evaluated0.items = undefined;
}
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.version === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "version"},message:"must have required property '"+"version"+"'",schema:schema31.required,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.tables === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "tables"},message:"must have required property '"+"tables"+"'",schema:schema31.required,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((((((key0 === "version") || (key0 === "defaults")) || (key0 === "settings")) || (key0 === "budgets")) || (key0 === "maintenance")) || (key0 === "tables"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.version !== undefined){
let data0 = data.version;
if(1 !== data0){
const err3 = {instancePath:instancePath+"/version",schemaPath:"#/properties/version/const",keyword:"const",params:{allowedValue: 1},message:"must be equal to constant",schema:1,parentSchema:schema31.properties.version,data:data0};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.defaults !== undefined){
let data1 = data.defaults;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key1 in data1){
if(!((key1 === "schema") || (key1 === "prune"))){
const err4 = {instancePath:instancePath+"/defaults",schemaPath:"#/properties/defaults/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.defaults,data:data1};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data1.schema !== undefined){
let data2 = data1.schema;
if(typeof data2 === "string"){
if(func1(data2) < 1){
const err5 = {instancePath:instancePath+"/defaults/schema",schemaPath:"#/properties/defaults/properties/schema/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.defaults.properties.schema,data:data2};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/defaults/schema",schemaPath:"#/properties/defaults/properties/schema/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.defaults.properties.schema.type,parentSchema:schema31.properties.defaults.properties.schema,data:data2};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data1.prune !== undefined){
let data3 = data1.prune;
if(typeof data3 !== "boolean"){
const err7 = {instancePath:instancePath+"/defaults/prune",schemaPath:"#/properties/defaults/properties/prune/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.defaults.properties.prune.type,parentSchema:schema31.properties.defaults.properties.prune,data:data3};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
else {
const err8 = {instancePath:instancePath+"/defaults",schemaPath:"#/properties/defaults/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.defaults.type,parentSchema:schema31.properties.defaults,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.settings !== undefined){
let data4 = data.settings;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
for(const key2 in data4){
if(!(func2.call(schema31.properties.settings.properties, key2))){
const err9 = {instancePath:instancePath+"/settings",schemaPath:"#/properties/settings/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.settings,data:data4};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data4.concurrency !== undefined){
let data5 = data4.concurrency;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
const err10 = {instancePath:instancePath+"/settings/concurrency",schemaPath:"#/properties/settings/properties/concurrency/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.settings.properties.concurrency.type,parentSchema:schema31.properties.settings.properties.concurrency,data:data5};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if((typeof data5 == "number") && (isFinite(data5))){
if(data5 < 1 || isNaN(data5)){
const err11 = {instancePath:instancePath+"/settings/concurrency",schemaPath:"#/properties/settings/properties/concurrency/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1",schema:1,parentSchema:schema31.properties.settings.properties.concurrency,data:data5};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
}
if(data4.lockTimeout !== undefined){
let data6 = data4.lockTimeout;
const _errs17 = errors;
let valid4 = false;
const _errs18 = errors;
if((typeof data6 == "number") && (isFinite(data6))){
if(data6 < 0 || isNaN(data6)){
const err12 = {instancePath:instancePath+"/settings/lockTimeout",schemaPath:"#/$defs/duration/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.anyOf[0],data:data6};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/settings/lockTimeout",schemaPath:"#/$defs/duration/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.anyOf[0].type,parentSchema:schema32.anyOf[0],data:data6};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
var _valid0 = _errs18 === errors;
valid4 = valid4 || _valid0;
const _errs20 = errors;
if(typeof data6 === "string"){
if(!pattern4.test(data6)){
const err14 = {instancePath:instancePath+"/settings/lockTimeout",schemaPath:"#/$defs/duration/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$",parentSchema:schema32.anyOf[1],data:data6};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
else {
const err15 = {instancePath:instancePath+"/settings/lockTimeout",schemaPath:"#/$defs/duration/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.anyOf[1].type,parentSchema:schema32.anyOf[1],data:data6};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
var _valid0 = _errs20 === errors;
valid4 = valid4 || _valid0;
if(!valid4){
const err16 = {instancePath:instancePath+"/settings/lockTimeout",schemaPath:"#/$defs/duration/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema32.anyOf,parentSchema:schema32,data:data6};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
else {
errors = _errs17;
if(vErrors !== null){
if(_errs17){
vErrors.length = _errs17;
}
else {
vErrors = null;
}
}
}
}
if(data4.buildLockTimeout !== undefined){
let data7 = data4.buildLockTimeout;
const _errs24 = errors;
let valid6 = false;
const _errs25 = errors;
if((typeof data7 == "number") && (isFinite(data7))){
if(data7 < 0 || isNaN(data7)){
const err17 = {instancePath:instancePath+"/settings/buildLockTimeout",schemaPath:"#/$defs/duration/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.anyOf[0],data:data7};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
}
else {
const err18 = {instancePath:instancePath+"/settings/buildLockTimeout",schemaPath:"#/$defs/duration/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.anyOf[0].type,parentSchema:schema32.anyOf[0],data:data7};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
var _valid1 = _errs25 === errors;
valid6 = valid6 || _valid1;
const _errs27 = errors;
if(typeof data7 === "string"){
if(!pattern4.test(data7)){
const err19 = {instancePath:instancePath+"/settings/buildLockTimeout",schemaPath:"#/$defs/duration/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$",parentSchema:schema32.anyOf[1],data:data7};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
else {
const err20 = {instancePath:instancePath+"/settings/buildLockTimeout",schemaPath:"#/$defs/duration/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.anyOf[1].type,parentSchema:schema32.anyOf[1],data:data7};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
var _valid1 = _errs27 === errors;
valid6 = valid6 || _valid1;
if(!valid6){
const err21 = {instancePath:instancePath+"/settings/buildLockTimeout",schemaPath:"#/$defs/duration/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema32.anyOf,parentSchema:schema32,data:data7};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
else {
errors = _errs24;
if(vErrors !== null){
if(_errs24){
vErrors.length = _errs24;
}
else {
vErrors = null;
}
}
}
}
if(data4.statementTimeout !== undefined){
let data8 = data4.statementTimeout;
const _errs31 = errors;
let valid8 = false;
const _errs32 = errors;
if((typeof data8 == "number") && (isFinite(data8))){
if(data8 < 0 || isNaN(data8)){
const err22 = {instancePath:instancePath+"/settings/statementTimeout",schemaPath:"#/$defs/duration/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.anyOf[0],data:data8};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
else {
const err23 = {instancePath:instancePath+"/settings/statementTimeout",schemaPath:"#/$defs/duration/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.anyOf[0].type,parentSchema:schema32.anyOf[0],data:data8};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
var _valid2 = _errs32 === errors;
valid8 = valid8 || _valid2;
const _errs34 = errors;
if(typeof data8 === "string"){
if(!pattern4.test(data8)){
const err24 = {instancePath:instancePath+"/settings/statementTimeout",schemaPath:"#/$defs/duration/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$",parentSchema:schema32.anyOf[1],data:data8};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
else {
const err25 = {instancePath:instancePath+"/settings/statementTimeout",schemaPath:"#/$defs/duration/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.anyOf[1].type,parentSchema:schema32.anyOf[1],data:data8};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
var _valid2 = _errs34 === errors;
valid8 = valid8 || _valid2;
if(!valid8){
const err26 = {instancePath:instancePath+"/settings/statementTimeout",schemaPath:"#/$defs/duration/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema32.anyOf,parentSchema:schema32,data:data8};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
else {
errors = _errs31;
if(vErrors !== null){
if(_errs31){
vErrors.length = _errs31;
}
else {
vErrors = null;
}
}
}
}
if(data4.maintenanceWorkMem !== undefined){
let data9 = data4.maintenanceWorkMem;
const _errs38 = errors;
let valid10 = false;
const _errs39 = errors;
if((typeof data9 == "number") && (isFinite(data9))){
if(data9 < 0 || isNaN(data9)){
const err27 = {instancePath:instancePath+"/settings/maintenanceWorkMem",schemaPath:"#/$defs/size/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema35.anyOf[0],data:data9};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
else {
const err28 = {instancePath:instancePath+"/settings/maintenanceWorkMem",schemaPath:"#/$defs/size/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema35.anyOf[0].type,parentSchema:schema35.anyOf[0],data:data9};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
var _valid3 = _errs39 === errors;
valid10 = valid10 || _valid3;
const _errs41 = errors;
if(typeof data9 === "string"){
if(!pattern7.test(data9)){
const err29 = {instancePath:instancePath+"/settings/maintenanceWorkMem",schemaPath:"#/$defs/size/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$",parentSchema:schema35.anyOf[1],data:data9};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/settings/maintenanceWorkMem",schemaPath:"#/$defs/size/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.anyOf[1].type,parentSchema:schema35.anyOf[1],data:data9};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
var _valid3 = _errs41 === errors;
valid10 = valid10 || _valid3;
if(!valid10){
const err31 = {instancePath:instancePath+"/settings/maintenanceWorkMem",schemaPath:"#/$defs/size/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema35.anyOf,parentSchema:schema35,data:data9};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
else {
errors = _errs38;
if(vErrors !== null){
if(_errs38){
vErrors.length = _errs38;
}
else {
vErrors = null;
}
}
}
}
if(data4.maxParallelMaintenanceWorkers !== undefined){
let data10 = data4.maxParallelMaintenanceWorkers;
if(!(((typeof data10 == "number") && (!(data10 % 1) && !isNaN(data10))) && (isFinite(data10)))){
const err32 = {instancePath:instancePath+"/settings/maxParallelMaintenanceWorkers",schemaPath:"#/properties/settings/properties/maxParallelMaintenanceWorkers/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.settings.properties.maxParallelMaintenanceWorkers.type,parentSchema:schema31.properties.settings.properties.maxParallelMaintenanceWorkers,data:data10};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if((typeof data10 == "number") && (isFinite(data10))){
if(data10 < 0 || isNaN(data10)){
const err33 = {instancePath:instancePath+"/settings/maxParallelMaintenanceWorkers",schemaPath:"#/properties/settings/properties/maxParallelMaintenanceWorkers/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema31.properties.settings.properties.maxParallelMaintenanceWorkers,data:data10};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
}
}
if(data4.retries !== undefined){
let data11 = data4.retries;
if(!(((typeof data11 == "number") && (!(data11 % 1) && !isNaN(data11))) && (isFinite(data11)))){
const err34 = {instancePath:instancePath+"/settings/retries",schemaPath:"#/properties/settings/properties/retries/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema31.properties.settings.properties.retries.type,parentSchema:schema31.properties.settings.properties.retries,data:data11};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
if((typeof data11 == "number") && (isFinite(data11))){
if(data11 < 0 || isNaN(data11)){
const err35 = {instancePath:instancePath+"/settings/retries",schemaPath:"#/properties/settings/properties/retries/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema31.properties.settings.properties.retries,data:data11};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
}
if(data4.analyzeAfterBuild !== undefined){
let data12 = data4.analyzeAfterBuild;
if(typeof data12 !== "boolean"){
const err36 = {instancePath:instancePath+"/settings/analyzeAfterBuild",schemaPath:"#/properties/settings/properties/analyzeAfterBuild/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.settings.properties.analyzeAfterBuild.type,parentSchema:schema31.properties.settings.properties.analyzeAfterBuild,data:data12};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
}
if(data4.allowLockingDrops !== undefined){
let data13 = data4.allowLockingDrops;
if(typeof data13 !== "boolean"){
const err37 = {instancePath:instancePath+"/settings/allowLockingDrops",schemaPath:"#/properties/settings/properties/allowLockingDrops/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema31.properties.settings.properties.allowLockingDrops.type,parentSchema:schema31.properties.settings.properties.allowLockingDrops,data:data13};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
}
if(data4.searchPath !== undefined){
let data14 = data4.searchPath;
if(Array.isArray(data14)){
const len0 = data14.length;
for(let i0=0; i0<len0; i0++){
let data15 = data14[i0];
if(typeof data15 === "string"){
if(func1(data15) < 1){
const err38 = {instancePath:instancePath+"/settings/searchPath/" + i0,schemaPath:"#/properties/settings/properties/searchPath/items/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.settings.properties.searchPath.items,data:data15};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
}
else {
const err39 = {instancePath:instancePath+"/settings/searchPath/" + i0,schemaPath:"#/properties/settings/properties/searchPath/items/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.settings.properties.searchPath.items.type,parentSchema:schema31.properties.settings.properties.searchPath.items,data:data15};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
}
let i1 = data14.length;
let j0;
if(i1 > 1){
const indices0 = {};
for(;i1--;){
let item0 = data14[i1];
if(typeof item0 !== "string"){
continue;
}
if(typeof indices0[item0] == "number"){
j0 = indices0[item0];
const err40 = {instancePath:instancePath+"/settings/searchPath",schemaPath:"#/properties/settings/properties/searchPath/uniqueItems",keyword:"uniqueItems",params:{i: i1, j: j0},message:"must NOT have duplicate items (items ## "+j0+" and "+i1+" are identical)",schema:true,parentSchema:schema31.properties.settings.properties.searchPath,data:data14};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
break;
}
indices0[item0] = i1;
}
}
}
else {
const err41 = {instancePath:instancePath+"/settings/searchPath",schemaPath:"#/properties/settings/properties/searchPath/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema31.properties.settings.properties.searchPath.type,parentSchema:schema31.properties.settings.properties.searchPath,data:data14};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
}
if(data4.citus !== undefined){
let data16 = data4.citus;
if(data16 && typeof data16 == "object" && !Array.isArray(data16)){
for(const key3 in data16){
if(!(key3 === "workerUrl")){
const err42 = {instancePath:instancePath+"/settings/citus",schemaPath:"#/properties/settings/properties/citus/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key3},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.settings.properties.citus,data:data16};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
}
if(data16.workerUrl !== undefined){
let data17 = data16.workerUrl;
if(typeof data17 === "string"){
if(func1(data17) < 1){
const err43 = {instancePath:instancePath+"/settings/citus/workerUrl",schemaPath:"#/properties/settings/properties/citus/properties/workerUrl/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters",schema:1,parentSchema:schema31.properties.settings.properties.citus.properties.workerUrl,data:data17};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
}
else {
const err44 = {instancePath:instancePath+"/settings/citus/workerUrl",schemaPath:"#/properties/settings/properties/citus/properties/workerUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema31.properties.settings.properties.citus.properties.workerUrl.type,parentSchema:schema31.properties.settings.properties.citus.properties.workerUrl,data:data17};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
}
}
else {
const err45 = {instancePath:instancePath+"/settings/citus",schemaPath:"#/properties/settings/properties/citus/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.settings.properties.citus.type,parentSchema:schema31.properties.settings.properties.citus,data:data16};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
}
if(data4.maxReplicaLag !== undefined){
let data18 = data4.maxReplicaLag;
const _errs62 = errors;
let valid16 = false;
const _errs63 = errors;
if((typeof data18 == "number") && (isFinite(data18))){
if(data18 < 0 || isNaN(data18)){
const err46 = {instancePath:instancePath+"/settings/maxReplicaLag",schemaPath:"#/$defs/size/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema35.anyOf[0],data:data18};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
else {
const err47 = {instancePath:instancePath+"/settings/maxReplicaLag",schemaPath:"#/$defs/size/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema35.anyOf[0].type,parentSchema:schema35.anyOf[0],data:data18};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
var _valid4 = _errs63 === errors;
valid16 = valid16 || _valid4;
const _errs65 = errors;
if(typeof data18 === "string"){
if(!pattern7.test(data18)){
const err48 = {instancePath:instancePath+"/settings/maxReplicaLag",schemaPath:"#/$defs/size/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(B|kB|MB|GB|TB)?\\s*$",parentSchema:schema35.anyOf[1],data:data18};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
else {
const err49 = {instancePath:instancePath+"/settings/maxReplicaLag",schemaPath:"#/$defs/size/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema35.anyOf[1].type,parentSchema:schema35.anyOf[1],data:data18};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
var _valid4 = _errs65 === errors;
valid16 = valid16 || _valid4;
if(!valid16){
const err50 = {instancePath:instancePath+"/settings/maxReplicaLag",schemaPath:"#/$defs/size/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema35.anyOf,parentSchema:schema35,data:data18};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
else {
errors = _errs62;
if(vErrors !== null){
if(_errs62){
vErrors.length = _errs62;
}
else {
vErrors = null;
}
}
}
}
if(data4.maxReplicaLagWait !== undefined){
let data19 = data4.maxReplicaLagWait;
const _errs69 = errors;
let valid18 = false;
const _errs70 = errors;
if((typeof data19 == "number") && (isFinite(data19))){
if(data19 < 0 || isNaN(data19)){
const err51 = {instancePath:instancePath+"/settings/maxReplicaLagWait",schemaPath:"#/$defs/duration/anyOf/0/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema32.anyOf[0],data:data19};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
}
else {
const err52 = {instancePath:instancePath+"/settings/maxReplicaLagWait",schemaPath:"#/$defs/duration/anyOf/0/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema32.anyOf[0].type,parentSchema:schema32.anyOf[0],data:data19};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
var _valid5 = _errs70 === errors;
valid18 = valid18 || _valid5;
const _errs72 = errors;
if(typeof data19 === "string"){
if(!pattern4.test(data19)){
const err53 = {instancePath:instancePath+"/settings/maxReplicaLagWait",schemaPath:"#/$defs/duration/anyOf/1/pattern",keyword:"pattern",params:{pattern: "^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"},message:"must match pattern \""+"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$"+"\"",schema:"^\\s*(\\d+(\\.\\d*)?|\\.\\d+)\\s*(ms|s|min|h|d)?\\s*$",parentSchema:schema32.anyOf[1],data:data19};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
}
else {
const err54 = {instancePath:instancePath+"/settings/maxReplicaLagWait",schemaPath:"#/$defs/duration/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema32.anyOf[1].type,parentSchema:schema32.anyOf[1],data:data19};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
var _valid5 = _errs72 === errors;
valid18 = valid18 || _valid5;
if(!valid18){
const err55 = {instancePath:instancePath+"/settings/maxReplicaLagWait",schemaPath:"#/$defs/duration/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema32.anyOf,parentSchema:schema32,data:data19};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
else {
errors = _errs69;
if(vErrors !== null){
if(_errs69){
vErrors.length = _errs69;
}
else {
vErrors = null;
}
}
}
}
}
else {
const err56 = {instancePath:instancePath+"/settings",schemaPath:"#/properties/settings/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.settings.type,parentSchema:schema31.properties.settings,data:data4};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
}
if(data.budgets !== undefined){
let data20 = data.budgets;
if(data20 && typeof data20 == "object" && !Array.isArray(data20)){
for(const key4 in data20){
if(!(key4 === "indexToTableRatio")){
const err57 = {instancePath:instancePath+"/budgets",schemaPath:"#/properties/budgets/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema31.properties.budgets,data:data20};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
}
if(data20.indexToTableRatio !== undefined){
let data21 = data20.indexToTableRatio;
if((typeof data21 == "number") && (isFinite(data21))){
if(data21 <= 0 || isNaN(data21)){
const err58 = {instancePath:instancePath+"/budgets/indexToTableRatio",schemaPath:"#/properties/budgets/properties/indexToTableRatio/exclusiveMinimum",keyword:"exclusiveMinimum",params:{comparison: ">", limit: 0},message:"must be > 0",schema:0,parentSchema:schema31.properties.budgets.properties.indexToTableRatio,data:data21};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
}
else {
const err59 = {instancePath:instancePath+"/budgets/indexToTableRatio",schemaPath:"#/properties/budgets/properties/indexToTableRatio/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema31.properties.budgets.properties.indexToTableRatio.type,parentSchema:schema31.properties.budgets.properties.indexToTableRatio,data:data21};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
}
}
else {
const err60 = {instancePath:instancePath+"/budgets",schemaPath:"#/properties/budgets/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.budgets.type,parentSchema:schema31.properties.budgets,data:data20};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
}
if(data.maintenance !== undefined){
if(!(validate21(data.maintenance, {instancePath:instancePath+"/maintenance",parentData:data,parentDataProperty:"maintenance",rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate21.errors : vErrors.concat(validate21.errors);
errors = vErrors.length;
}
}
if(data.tables !== undefined){
let data23 = data.tables;
if(data23 && typeof data23 == "object" && !Array.isArray(data23)){
for(const key5 in data23){
if(!(validate23(data23[key5], {instancePath:instancePath+"/tables/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),parentData:data23,parentDataProperty:key5,rootData,dynamicAnchors}))){
vErrors = vErrors === null ? validate23.errors : vErrors.concat(validate23.errors);
errors = vErrors.length;
}
}
}
else {
const err61 = {instancePath:instancePath+"/tables",schemaPath:"#/properties/tables/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.properties.tables.type,parentSchema:schema31.properties.tables,data:data23};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
}
}
else {
const err62 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema31.type,parentSchema:schema31,data};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
validate20.errors = vErrors;
return errors === 0;
}
validate20.evaluated = {"props":true,"dynamicProps":false,"dynamicItems":false};

