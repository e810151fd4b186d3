package io.github.prompt4j.search.internal;

/**
 * Selects the k largest scores among allowed ids with a size-k binary min-heap on primitive arrays: O(V log k)
 * time, O(k) memory. Ties go to the smaller id, so results are deterministic. Stateless and thread-safe.
 */
public final class TopK {

    private TopK() {
    }

    /**
     * The ids of the {@code k} largest scores among {@code allowed} ids, best first.
     *
     * @param scores one score per id; NaN scores are never selected
     * @param allowed which ids may be selected, same length as {@code scores}
     * @param k how many to return; fewer when fewer ids are allowed
     */
    public static int[] largest(double[] scores, boolean[] allowed, int k) {
        if (scores.length != allowed.length) {
            throw new IllegalArgumentException("scores (" + scores.length + ") and allowed (" + allowed.length
                    + ") must have the same length");
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int[] heap = new int[k];
        int size = 0;
        for (int id = 0; id < scores.length; id++) {
            if (!allowed[id] || Double.isNaN(scores[id])) {
                continue;
            }
            if (size < k) {
                heap[size] = id;
                siftUp(heap, size++, scores);
            } else if (better(id, heap[0], scores)) {
                heap[0] = id;
                siftDown(heap, size, scores);
            }
        }
        int[] out = new int[size];
        for (int i = size - 1; i >= 0; i--) {
            out[i] = heap[0];
            heap[0] = heap[i];
            siftDown(heap, i, scores);
        }
        return out;
    }

    /** Whether id {@code a} ranks above id {@code b}: larger score, then smaller id. */
    private static boolean better(int a, int b, double[] s) {
        return s[a] > s[b] || (s[a] == s[b] && a < b);
    }

    private static void siftUp(int[] heap, int i, double[] s) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!better(heap[parent], heap[i], s)) {
                break;
            }
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, double[] s) {
        int i = 0;
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int worst = left;
            if (left + 1 < size && better(heap[left], heap[left + 1], s)) {
                worst = left + 1;
            }
            if (!better(heap[i], heap[worst], s)) {
                return;
            }
            swap(heap, i, worst);
            i = worst;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
