import { uuidV5, declarativeUuid, uuidV4 } from './uuid';

describe('uuid', () => {
  it('matches resty.jit-uuid v5 test vectors', () => {
    expect(uuidV5('e6ebd542-06ae-11e6-8e82-bba81706b27d', 'hello')).toBe('4850816f-1658-5890-8bfd-1ed14251f1f0');
    expect(uuidV5('e6ebd542-06ae-11e6-8e82-bba81706b27d', 'foobar')).toBe('c9be99fc-326b-5066-bdba-dcd31a6d01ab');
    expect(uuidV5('1b985f4a-06be-11e6-aff4-ff8d14e25128', 'hello')).toBe('e90a1bfc-d349-5ec0-89fe-b29f2419624b');
  });
  it('declarative ids are stable and per entity type', () => {
    expect(declarativeUuid('services', 'echo')).toBe(declarativeUuid('services', 'echo'));
    expect(declarativeUuid('services', 'echo')).not.toBe(declarativeUuid('routes', 'echo'));
    expect(uuidV4()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
