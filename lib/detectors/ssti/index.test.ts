import nodeFs from 'node:fs';
import nodePath from 'node:path';
import { existsSync, readFileSync } from 'fs';
import { gunzipSync } from 'zlib';
import { createDetectorInput, makePoint } from '../../detector-input';
import { sstiDetector } from './index';

const conf = (value: string, path = 'query.q'): number => sstiDetector.detect(createDetectorInput(makePoint(value, path)))?.confidence ?? 0;

describe('sstiDetector attacks', () => {
  it.each([
    '{{7*7}}',
    '%{7*7}',
    "%{(#_='multipart/form-data').(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#_memberAccess=#dm)}",
    '${#_memberAccess["allowStaticMethodAccess"]=true,@java.lang.Runtime@getRuntime().exec("id")}',
    "%{#context['xwork.MethodAccessor.denyMethodExecution']=false}",
    '${7*7}',
    '#{7*7}',
    '<%= 7*7 %>',
    '${{7*7}}',
    '@(7*7)',
    "{{7*'7'}}",
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{config.__class__.__init__.__globals__['os'].popen('id').read()}}",
    '{{ config.items() }}',
    '{{self._TemplateReference__context.cycler.__init__.__globals__.os}}',
    "{{lipsum.__globals__['os'].popen('id').read()}}",
    '{{request|attr("__class__")}}',
    "{{request|attr('\\x5f\\x5fclass\\x5f\\x5f')}}",
    '{{_self.env.registerUndefinedFilterCallback("exec")}}{{_self.env.getFilter("id")}}',
    "{{['id']|filter('system')}}",
    '<#assign ex="freemarker.template.utility.Execute"?new()>${ex("id")}',
    '#set($x=$class.inClass.forName("java.lang.Runtime"))',
    '*{T(java.lang.Runtime).getRuntime().exec("id")}',
    "__${T(java.lang.Runtime).getRuntime().exec('id')}__::.x",
    "${T(java.lang.Runtime).getRuntime().exec('id')}",
    '<%= system("id") %>',
    "<%= File.open('/etc/passwd').read %>",
    '{php}echo `id`;{/php}',
    "{system('id')}",
    '{$smarty.version}',
    '${self.module.cache.util.os.system("id")}',
    '%7B%7B7*7%7D%7D',
    "{{constructor.constructor('alert(1)')()}}",
  ])('detects %s', (payload) => {
    expect(conf(payload)).toBeGreaterThanOrEqual(0.5);
  });

  it('ranks gadgets above probes above placeholders', () => {
    expect(conf("{{''.__class__.__mro__}}")).toBeGreaterThan(conf('{{7*7}}'));
    expect(conf('{{7*7}}')).toBeGreaterThan(conf('{{ first_name }}'));
  });
});

describe('sstiDetector benign', () => {
  it.each([
    'Hi {{ first_name }}, your order {{order.id}} has shipped',
    'Dear ${customer.name}',
    'Hello %{name}, you have %{count} new messages',
    'price ${#total} (OGNL-style variable, no expression)',
    'price is ${price}',
    '{"a":{"b":[1,2]}}',
    '[[0,1,2605,2883]]',
    'tracker?gdpr=${GDPR}&gdpr_consent=${GDPR_CONSENT_272}',
    'color: #{$primary}',
    'email me @(home)',
    '${jndi:ldap://x}',
    'Use {name} and {count} in translations',
    'a {{ b }} c {% if x %}y{% endif %}',
  ])('leaves %s', (value) => {
    expect(conf(value)).toBeLessThan(0.5);
  });
});

// the corpus sits in shared/ beside the clone (or KAS_CORPUS_DIR); skipped when absent
const corpus = [process.env.KAS_CORPUS_DIR ?? '', nodePath.resolve(__dirname, '../../../../shared/corpus'), '/work/shared/corpus']
  .map((d: string) => `${d}/attacks-dev.jsonl.gz`)
  .find((f: string) => nodeFs.existsSync(f)) ?? '/work/shared/corpus/attacks-dev.jsonl.gz';
(existsSync(corpus) ? describe : describe.skip)('dev corpus (ssti)', () => {
  it('detects the ssti payloads', () => {
    const lines = gunzipSync(readFileSync(corpus)).toString('utf8').split('\n').filter(Boolean);
    const payloads = [...new Set(lines.map((l) => JSON.parse(l) as { type: string; payload: string }).filter((o) => o.type === 'ssti').map((o) => o.payload))];
    const hits = payloads.filter((p) => conf(p) >= 0.5).length;
    expect(hits / payloads.length).toBeGreaterThan(0.97);
  });
});
