// lz4js ships no types; these are the two functions this package uses.
declare module "lz4js" {
  const lz4: {
    compress(data: Uint8Array): Uint8Array;
    decompress(data: Uint8Array): Uint8Array;
  };
  export default lz4;
}
