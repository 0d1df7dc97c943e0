// etcd ranges are [key, range_end): the end of "all keys with this prefix" is the prefix with
// its last byte incremented (bytes 0xff carried away), as clientv3.GetPrefixRangeEnd.
export function prefixEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix, 'utf8');
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  // every byte is 0xff: the range runs to the end of the key space
  return Buffer.from([0]);
}
