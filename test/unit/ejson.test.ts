import { BSONRegExp, EJSON } from 'bson';
import { decodeEJSON, decodeMaybeEJSON, deserializeDoc, encodeEJSON, serializeDoc } from '../../emulator/db/ejson';

describe('EJSON request decoding', () => {
  it('turns canonical number wrappers into plain numbers (so $inc works)', () => {
    const v = decodeEJSON('{"$inc":{"points":{"$numberInt":"5"}},"x":{"$numberDouble":"1.5"},"big":{"$numberLong":"1704067200000"}}');
    expect(v).toEqual({ $inc: { points: 5 }, x: 1.5, big: 1704067200000 });
    expect(typeof v.$inc.points).toBe('number');
  });

  it('revives dates, regular expressions and server dates', () => {
    const now = () => 1_000_000;
    const v = decodeEJSON(
      '{"d":{"$date":{"$numberLong":"1704067200000"}},"r":{"$regularExpression":{"pattern":"^x","options":"ix"}},"s":{"$tcb_server_date":{"offset":{"$numberInt":"-500"}}}}',
      now,
    );
    expect(v.d).toEqual(new Date(1704067200000));
    expect(v.r).toBeInstanceOf(RegExp);
    expect(v.r.source).toBe('^x');
    expect(v.r.flags).toBe('i'); // Mongo's x flag has no JS equivalent and is dropped
    expect(v.s).toEqual(new Date(999_500));
  });

  it('handles arrays and nesting, and accepts already-parsed objects', () => {
    expect(decodeEJSON('{"$or":[{"a":{"$numberInt":"1"}},{"b":{"$in":["x",{"$numberInt":"2"}]}}]}')).toEqual({ $or: [{ a: 1 }, { b: { $in: ['x', 2] } }] });
    expect(decodeMaybeEJSON(undefined)).toBeUndefined();
    expect(decodeMaybeEJSON({ n: { $numberInt: '3' } })).toEqual({ n: 3 });
    expect(decodeEJSON('10')).toBe(10);
  });

  it('encodes response documents so the SDK EJSON.parse gets Dates back', () => {
    const doc = { _id: 'a', at: new Date(1704067200000), n: 3, nested: [{ d: new Date(5) }] };
    const back = EJSON.parse(encodeEJSON(doc));
    expect(back).toEqual(doc);
    expect(back.at).toBeInstanceOf(Date);
  });

  it('bson regexp instances are converted too', () => {
    expect(decodeMaybeEJSON({ r: new BSONRegExp('a+', 'm') }).r).toEqual(/a+/m);
  });
});

describe('storage codec', () => {
  it('round-trips dates as {"$date": ms}', () => {
    const doc = { _id: 'x', at: new Date(1704067200123), list: [new Date(1), 'a'], skip: undefined };
    const text = serializeDoc(doc);
    expect(JSON.parse(text)).toEqual({ _id: 'x', at: { $date: 1704067200123 }, list: [{ $date: 1 }, 'a'] });
    expect(deserializeDoc(text)).toEqual({ _id: 'x', at: new Date(1704067200123), list: [new Date(1), 'a'] });
  });

  it('revives dates and binaries at any depth, and leaves look-alikes with more keys alone', () => {
    const doc = deserializeDoc<any>(
      '{"a":{"b":[{"c":{"$date":5}}]},"bin":{"$binary":"AQI="},"notADate":{"$date":5,"x":1},"text":"say \\"$date\\""}',
    );
    expect(doc.a.b[0].c).toEqual(new Date(5));
    expect(Buffer.isBuffer(doc.bin) && [...doc.bin]).toEqual([1, 2]);
    expect(doc.notADate).toEqual({ $date: 5, x: 1 });
    expect(doc.text).toBe('say "$date"');
  });

  it('a stored "__proto__" key stays an own property: reviving it never sets the prototype', () => {
    const doc = deserializeDoc<any>('{"__proto__":{"$date":7},"a":1}');
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toEqual(new Date(7));
    expect(doc.a).toBe(1);
  });

  it('a "__proto__" key written (as JSON.parse makes one) is stored as a field, not taken for the prototype', () => {
    const written = JSON.parse('{"_id":"x","__proto__":{"at":"2025"},"a":1}');
    written.when = new Date(7);
    const stored = serializeDoc(written);
    expect(JSON.parse(stored)).toEqual(JSON.parse('{"_id":"x","__proto__":{"at":"2025"},"a":1,"when":{"$date":7}}'));
    const back = deserializeDoc<any>(stored);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ at: '2025' });
    expect(back.when).toEqual(new Date(7));
  });
});
