package closetaskbulk.run;

import java.nio.charset.StandardCharsets;

/**
 * First line of every id seen in a file, for DUPLICATE. Open addressing on a 64-bit hash of the id (12 bytes
 * an id instead of ~150 for a HashMap of Strings), so a million-row file stays small. Two different ids
 * sharing a 64-bit hash would be reported as duplicates: odds about 1 in 10^7 for a million ids.
 */
final class IdIndex {

    private long[] keys = new long[1 << 12];
    private int[] lines = new int[1 << 12];
    private int size;

    /** Records the id at line; returns the earlier line of the same id, or 0 when new. */
    synchronized int putIfAbsent(String id, int line) {
        if (size * 2 >= keys.length) {
            grow();
        }
        long h = hash(id);
        int mask = keys.length - 1;
        for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == 0) {
                keys[i] = h;
                lines[i] = line;
                size++;
                return 0;
            }
            if (keys[i] == h) {
                return lines[i];
            }
        }
    }

    /** Room for n ids without growing (at most half full). */
    synchronized void reserve(int n) {
        int cap = Integer.highestOneBit(Math.max(1 << 12, 2 * n + 1) - 1) << 1;
        if (cap > keys.length && size == 0) {
            keys = new long[cap];
            lines = new int[cap];
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldLines = lines;
        keys = new long[oldKeys.length * 2];
        lines = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long h = oldKeys[j];
            if (h != 0) {
                int i = (int) (h ^ (h >>> 32)) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = h;
                lines[i] = oldLines[j];
            }
        }
    }

    /** FNV-1a 64 with a final mix; never 0 (0 marks a free slot). */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    int size() {
        return size;
    }
}
