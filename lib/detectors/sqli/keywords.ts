/**
 * The SQL words the tokenizer classifies, across MySQL/MariaDB, PostgreSQL, MSSQL, Oracle and SQLite.
 * Words not listed are barewords (identifiers). Functions are recognised by a following `(`; the list
 * below only says which functions are known SQL functions and which are dangerous (their mere call
 * after a breakout means time-based, error-based, out-of-band or command-execution injection).
 */

/** How a word acts in the grammar. */
export type WordClass =
  | 'logic' //      AND OR XOR (binary boolean operators)
  | 'not' //        NOT (unary boolean)
  | 'cmp' //        word comparison operators: LIKE RLIKE REGEXP ILIKE GLOB SOUNDS (LIKE) IS IN BETWEEN MATCH
  | 'arith' //      word arithmetic operators: DIV MOD
  | 'literal' //    NULL TRUE FALSE UNKNOWN
  | 'union' //      UNION (INTERSECT EXCEPT MINUS: set operators)
  | 'statement' //  words that start a statement: SELECT INSERT ... WAITFOR EXEC
  | 'clause' //     words that start a clause after an expression: ORDER GROUP HAVING LIMIT ...
  | 'keyword'; //   other reserved words (FROM WHERE AS TABLE CASE WHEN ...), structure but no role of their own

const WORDS: Record<WordClass, string> = {
  logic: 'AND OR XOR',
  not: 'NOT',
  cmp: 'LIKE RLIKE REGEXP ILIKE GLOB SOUNDS IS IN BETWEEN SIMILAR MATCH AGAINST COLLATE ESCAPE',
  arith: 'DIV MOD',
  literal: 'NULL TRUE FALSE UNKNOWN',
  union: 'UNION INTERSECT EXCEPT MINUS',
  statement:
    'SELECT INSERT UPDATE DELETE DROP CREATE ALTER TRUNCATE RENAME REPLACE MERGE UPSERT EXEC EXECUTE DECLARE SET ' +
    'WAITFOR SHUTDOWN GRANT REVOKE COPY LOAD BACKUP RESTORE CALL DO HANDLER SHOW DESCRIBE USE ATTACH DETACH PRAGMA ' +
    'VACUUM BEGIN COMMIT ROLLBACK KILL DBCC BULK OPENROWSET PREPARE DEALLOCATE LOCK UNLOCK FLUSH PURGE INSTALL ' +
    'WITH VALUES IF PRINT RAISERROR RECONFIGURE SP_EXECUTESQL LISTEN NOTIFY',
  clause: 'ORDER GROUP HAVING LIMIT OFFSET PROCEDURE INTO FETCH FOR WINDOW',
  keyword:
    'FROM WHERE AS ON BY ALL DISTINCT DISTINCTROW TOP CASE WHEN THEN ELSE END EXISTS ANY SOME JOIN INNER OUTER ' +
    'CROSS NATURAL USING ASC DESC INTERVAL BINARY ELSEIF WHILE RETURN TO',
};

const CLASS_OF = new Map<string, WordClass>();
for (const cls of Object.keys(WORDS) as WordClass[]) {
  for (const w of WORDS[cls].split(' ')) if (!CLASS_OF.has(w)) CLASS_OF.set(w, cls);
}

/** Every classified word (upper-case). */
export const ALL_WORDS: readonly string[] = [...CLASS_OF.keys()];

/** Class of an upper-cased word, or undefined for a bareword. */
export function wordClass(upper: string): WordClass | undefined {
  return CLASS_OF.get(upper);
}

/** What calling a function tells about intent. */
export type FunctionRisk =
  | 'time' //     delays: blind time-based injection
  | 'error' //    functions used to leak data through error messages
  | 'exec' //     command execution, out-of-band network or file access
  | 'info' //     reveal server, user, schema (typical UNION/blind payload content)
  | 'plain'; //   ordinary SQL function (string, math, aggregate, conditional)

const FUNCTIONS: Record<FunctionRisk, string> = {
  time:
    'SLEEP BENCHMARK PG_SLEEP PG_SLEEP_FOR PG_SLEEP_UNTIL RANDOMBLOB DBMS_LOCK.SLEEP DBMS_SESSION.SLEEP ' +
    'DBMS_PIPE.RECEIVE_MESSAGE GENERATE_SERIES GET_LOCK',
  error:
    'EXTRACTVALUE UPDATEXML EXP GTID_SUBSET GTID_SUBTRACT NAME_CONST POLYGON MULTIPOINT MULTILINESTRING ' +
    'MULTIPOLYGON LINESTRING GEOMETRYCOLLECTION ST_LATFROMGEOHASH ST_LONGFROMGEOHASH ST_POINTFROMGEOHASH JSON_KEYS ' +
    'UTL_INADDR.GET_HOST_ADDRESS UTL_INADDR.GET_HOST_NAME CTXSYS.DRITHSX.SN XMLTYPE DBMS_XMLGEN.GETXML ' +
    'DBMS_UTILITY.SQLID_TO_SQLHASH ORDSYS.ORD_DICOM.GETMAPPINGXPATH',
  exec:
    'XP_CMDSHELL XP_DIRTREE XP_FILEEXIST XP_REGREAD XP_REGWRITE XP_SUBDIRS XP_AVAILABLEMEDIA XP_LOGININFO ' +
    'SP_OACREATE SP_OAMETHOD SP_EXECUTESQL SP_CONFIGURE SP_ADDLOGIN SP_ADDSRVROLEMEMBER SP_PASSWORD SP_MAKEWEBTASK ' +
    'OPENROWSET OPENQUERY OPENDATASOURCE LOAD_FILE UTL_HTTP.REQUEST UTL_HTTP.REQUEST_PIECES UTL_FILE.FOPEN ' +
    'HTTPURITYPE DBMS_LDAP.INIT DBMS_JAVA.RUNJAVA SYS_EVAL SYS_EXEC LO_IMPORT LO_EXPORT LO_FROM_BYTEA PG_READ_FILE ' +
    'PG_READ_BINARY_FILE PG_LS_DIR PG_STAT_FILE DBLINK DBLINK_CONNECT LOAD_EXTENSION WRITEFILE READFILE ' +
    'FN_XE_FILE_TARGET_READ_FILE FN_GET_AUDIT_FILE FN_TRACE_GETTABLE DBMS_SCHEDULER.CREATE_JOB',
  info:
    'VERSION DATABASE USER CURRENT_USER SYSTEM_USER SESSION_USER SCHEMA CURRENT_SCHEMA CURRENT_DATABASE DB_NAME ' +
    'HOST_NAME SUSER_NAME SUSER_SNAME USER_NAME SQLITE_VERSION CONNECTION_ID LAST_INSERT_ID ROW_COUNT FOUND_ROWS ' +
    'GROUP_CONCAT STRING_AGG LISTAGG XMLAGG WM_CONCAT SYS_CONTEXT USERENV IS_SRVROLEMEMBER IS_MEMBER HAS_DBACCESS ' +
    'OBJECT_ID OBJECT_NAME COL_NAME SCHEMA_NAME PG_USER INET_SERVER_ADDR INET_CLIENT_ADDR',
  plain:
    'CHAR CHR NCHAR CONCAT CONCAT_WS SUBSTRING SUBSTR SUBSTRING_INDEX MID ASCII ORD HEX UNHEX LENGTH LEN ' +
    'CHAR_LENGTH BIT_LENGTH DATALENGTH UPPER LOWER UCASE LCASE REPLACE REVERSE LEFT RIGHT TRIM LTRIM RTRIM INSTR ' +
    'LOCATE POSITION CHARINDEX PATINDEX MD5 SHA SHA1 SHA2 TO_CHAR TO_NUMBER CAST CONVERT COALESCE IFNULL NULLIF ' +
    'NVL NVL2 ISNULL IF IIF COUNT SUM MIN MAX AVG RAND RANDOM FLOOR CEIL CEILING ROUND ABS NOW SYSDATE ' +
    'UTL_RAW.CAST_TO_VARCHAR2 BIN OCT CONV ELT FIELD MAKE_SET EXPORT_SET STRCMP REGEXP_LIKE REGEXP_SUBSTR ' +
    'REGEXP_REPLACE UNICODE QUOTENAME STUFF TYPEOF ZEROBLOB PRINTF QUOTE SPACE REPEAT LPAD RPAD DECODE ENCODE ' +
    'UUID CRC32 COMPRESS UNCOMPRESS AES_ENCRYPT AES_DECRYPT FROM_BASE64 TO_BASE64 CHAR_LENGTH OCTET_LENGTH ' +
    'INSERT GREATEST LEAST ROW EXISTS VALUES ANY ALL SOME TABLE_NAME COLUMN_NAME TO_HEX FORMAT ' +
    'JSON_EXTRACT JSON_OBJECT JSON_ARRAYAGG JSON_AGG ARRAY_AGG ARRAY_TO_STRING QUERY_TO_XML DATABASE_TO_XML ' +
    'TABLE_TO_XML UNISTR ASCIISTR RAWTOHEX CHR DUMP TRANSLATE INITCAP SOUNDEX DIFFERENCE',
};

const RISK_OF = new Map<string, FunctionRisk>();
for (const risk of Object.keys(FUNCTIONS) as FunctionRisk[]) {
  for (const f of FUNCTIONS[risk].split(' ')) if (f && !RISK_OF.has(f)) RISK_OF.set(f, risk);
}

/** Risk of a known function (upper-cased, dotted package names allowed), or undefined if unknown. */
export function functionRisk(upper: string): FunctionRisk | undefined {
  const direct = RISK_OF.get(upper);
  if (direct !== undefined) return direct;
  // `master..xp_cmdshell`, `dbo.xp_dirtree`, `sys.fn_...`: judge the last part.
  const dot = upper.lastIndexOf('.');
  if (dot >= 0) {
    const last = RISK_OF.get(upper.slice(dot + 1));
    if (last === 'exec' || last === 'time' || last === 'error') return last;
  }
  return undefined;
}

/**
 * Catalog objects and system tables/variables that only SQL-injection payloads (and DBAs) name:
 * reaching for them after a breakout is enumeration.
 */
const SYSTEM_OBJECTS = new Set(
  (
    'INFORMATION_SCHEMA SYSOBJECTS SYSCOLUMNS SYSUSERS SYSDATABASES SYSLOGINS SYSPROCESSES SYS MSYSOBJECTS ' +
    'MSYSACCESSOBJECTS MYSQL PERFORMANCE_SCHEMA SQLITE_MASTER SQLITE_SCHEMA SQLITE_TEMP_MASTER PG_SHADOW PG_USER ' +
    'PG_DATABASE PG_CATALOG PG_TABLES PG_CLASS PG_NAMESPACE PG_AUTHID PG_ROLES ALL_TABLES ALL_TAB_COLUMNS ALL_USERS ' +
    'USER_TABLES USER_TAB_COLUMNS DBA_USERS DBA_TABLES DBA_ROLE_PRIVS V$VERSION V$INSTANCE DUAL MASTER TEMPDB ' +
    'MSDB DBO XP_CMDSHELL'
  ).split(' '),
);

/** Lengths of the catalog names per first letter (bit n: some name has length n), for a gate without slicing. */
const SYSTEM_LENGTHS = new Int32Array(26);
for (const name of SYSTEM_OBJECTS) SYSTEM_LENGTHS[name.charCodeAt(0) - 65] |= 1 << Math.min(name.length, 31);

/** Whether a name part of `length` characters starting with `letter` (any case) can be a catalog object. */
export function mayBeSystemObject(letter: number, length: number): boolean {
  const i = (letter | 32) - 97;
  return i >= 0 && i < 26 && length < 31 && (SYSTEM_LENGTHS[i] & (1 << length)) !== 0;
}

/** True when a (possibly qualified) upper-cased name starts with, or is, a system catalog object. */
export function isSystemObject(upper: string): boolean {
  const dot = upper.indexOf('.');
  const head = dot < 0 ? upper : upper.slice(0, dot);
  if (SYSTEM_OBJECTS.has(head)) return head !== 'SYS' && head !== 'MYSQL' && head !== 'MASTER' ? true : dot >= 0;
  return SYSTEM_OBJECTS.has(upper);
}
