// cluster-key-slot (ioredis' own dependency) ships no types.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0–16383) of a key, honouring hash tags. */
  function calculateSlot(key: string | Buffer): number;
  namespace calculateSlot {
    /** The one slot all keys share, or -1 when they do not. */
    function generateMulti(keys: Array<string | Buffer>): number;
  }
  export default calculateSlot;
}
