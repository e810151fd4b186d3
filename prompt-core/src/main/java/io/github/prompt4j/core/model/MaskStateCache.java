package io.github.prompt4j.core.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers a model's transformed mask states ({@link MaskedLanguageModel#maskHiddenStates}) per encoded prompt, so
 * that work which reads the same prompts more than once (a learned verbalizer fitted again on examples another fit
 * already read, a classifier scoring sentences a trainer encoded the same way) runs each prompt through the model
 * once.
 *
 * <p>The key is the whole {@link EncodedPrompt} (its value equality: ids, attention mask, token types and every
 * position list), so two templates, truncations or tokenizers that encode a text differently never share a state.
 * A remembered state is the one the first computation gave; the model batches by length, so a prompt's state computed
 * again in another batch may differ from it in the last bits of float32 (or more at int8), never by more than the
 * model's own batch-to-batch noise.
 *
 * <p>Memory: {@code hiddenSize * masks} floats per distinct prompt (3 KB for one mask of BERT-base), never evicted:
 * scope a cache to one job and drop it after. Does not own the model: closing the model is the caller's business, and
 * a closed model refuses the prompts this cache does not hold. Thread-safe: concurrent callers may both compute a
 * prompt that neither holds yet; the first stored state wins.
 */
public final class MaskStateCache {

    private final MaskedLanguageModel model;
    private final int width;
    private final Map<EncodedPrompt, float[]> states = new HashMap<>();

    /**
     * @param model the model whose states are remembered
     * @throws IllegalArgumentException for a null model
     */
    public MaskStateCache(MaskedLanguageModel model) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        this.model = model;
        this.width = model.info().hiddenSize();
    }

    /** The model the states come from. */
    public MaskedLanguageModel model() {
        return model;
    }

    /**
     * The transformed mask states of {@code prompts}, in their order, as {@link MaskedLanguageModel#maskHiddenStates}
     * gives them: remembered ones as they are, the others (each distinct prompt once) from one model call, then
     * remembered.
     */
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        Set<EncodedPrompt> missing = new LinkedHashSet<>();
        synchronized (this) {
            for (EncodedPrompt p : prompts) {
                if (!states.containsKey(p)) {
                    missing.add(p);
                }
            }
        }
        if (!missing.isEmpty()) {
            List<EncodedPrompt> run = new ArrayList<>(missing);
            MaskVectors fresh = model.maskHiddenStates(run);
            synchronized (this) {
                for (int i = 0; i < run.size(); i++) {
                    float[] v = new float[fresh.maskCount(i) * width];
                    for (int m = 0; m < fresh.maskCount(i); m++) {
                        fresh.copyVector(i, m, v, m * width);
                    }
                    states.putIfAbsent(run.get(i), v);
                }
            }
        }
        int[] counts = new int[prompts.size()];
        List<float[]> rows = new ArrayList<>(prompts.size());
        int total = 0;
        synchronized (this) {
            for (int i = 0; i < prompts.size(); i++) {
                float[] v = states.get(prompts.get(i));
                counts[i] = v.length / width;
                rows.add(v);
                total += v.length;
            }
        }
        float[] values = new float[total];
        int at = 0;
        for (float[] v : rows) {
            System.arraycopy(v, 0, values, at, v.length);
            at += v.length;
        }
        return new MaskVectors(width, counts, values);
    }

    /** Distinct prompts remembered: the forward passes this cache has cost, when no two callers raced. */
    public synchronized int size() {
        return states.size();
    }
}
