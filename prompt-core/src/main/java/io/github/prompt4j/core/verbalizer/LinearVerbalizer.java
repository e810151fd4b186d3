package io.github.prompt4j.core.verbalizer;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * A learned verbalizer: a linear map from the MLM head's transformed state at the mask
 * ({@link MaskedLanguageModel#maskHiddenStates}, the {@code h} with {@code logits = E h + b}) to class logits,
 * {@code z_c = w_c . h + b_c}, and the class distribution {@code softmax(z)}.
 *
 * <p>{@link #fromLabelWords} builds the map a label-word verbalizer already is: {@code w_c} the output embedding of
 * the class's word and {@code b_c} its output bias, so the class distribution equals the label words'
 * probabilities renormalised over the classes (the prototype initialisation of WARP, Hambardzumyan et al. 2021, and
 * of prototypical verbalizers, Cui et al. 2022). Training (e.g. {@code search.label.VerbalizerTrainer}) moves the
 * weights from there.
 *
 * <p>Immutable and thread-safe; arrays are copied in and out.
 */
public final class LinearVerbalizer {

    private final List<String> labels;
    private final float[][] weights;
    private final float[] bias;
    /** The same parameters as a head, which does the arithmetic. */
    private final LinearHead head;

    private LinearVerbalizer(List<String> labels, float[][] weights, float[] bias) {
        this.labels = labels;
        this.weights = weights;
        this.bias = bias;
        int dim = weights[0].length;
        float[] flat = new float[weights.length * dim];
        for (int c = 0; c < weights.length; c++) {
            System.arraycopy(weights[c], 0, flat, c * dim, dim);
        }
        this.head = new LinearHead(weights.length, dim, flat, bias);
    }

    /**
     * A verbalizer with the given weights.
     *
     * @param labels class labels, in order; at least two, distinct
     * @param weights one row per class, all of the model's hidden size
     * @param bias one value per class
     * @throws IllegalArgumentException for fewer than two or repeated labels, counts that do not match the labels,
     *         rows of different lengths, or a non-finite value (named by class and index)
     */
    public static LinearVerbalizer of(List<String> labels, List<float[]> weights, float[] bias) {
        if (labels == null || labels.size() < 2) {
            throw new IllegalArgumentException("a linear verbalizer needs at least two classes, got " + labels);
        }
        if (labels.stream().anyMatch(java.util.Objects::isNull) || new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("class labels must be distinct and non-null, got " + labels);
        }
        if (weights == null || weights.size() != labels.size() || bias == null || bias.length != labels.size()) {
            throw new IllegalArgumentException("need one weight row and one bias per class " + labels + ", got "
                    + (weights == null ? "no" : weights.size()) + " rows and " + (bias == null ? "no" : bias.length)
                    + " biases");
        }
        float[][] w = new float[labels.size()][];
        for (int c = 0; c < w.length; c++) {
            float[] row = weights.get(c);
            if (row == null || row.length == 0 || row.length != weights.get(0).length) {
                throw new IllegalArgumentException("weight row of class '" + labels.get(c) + "' has "
                        + (row == null ? "no" : row.length) + " values; every row needs the hidden size ("
                        + (weights.get(0) == null ? "?" : weights.get(0).length) + ")");
            }
            for (int j = 0; j < row.length; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException("weight of class '" + labels.get(c) + "' at index " + j
                            + " is " + row[j] + "; weights must be finite");
                }
            }
            w[c] = row.clone();
        }
        for (int c = 0; c < bias.length; c++) {
            if (!Float.isFinite(bias[c])) {
                throw new IllegalArgumentException("bias of class '" + labels.get(c) + "' is " + bias[c]);
            }
        }
        return new LinearVerbalizer(List.copyOf(labels), w, bias.clone());
    }

    /**
     * The linear map of a label-word verbalizer over {@code model}: for each class the mean output embedding of its
     * words' pieces and their mean output bias. With one single-piece word per class the class distribution is
     * exactly {@link io.github.prompt4j.core.mapping.LabelMapper#sum()}'s over the same words.
     *
     * @throws IllegalArgumentException for a label word the tokenizer cannot represent (see
     *         {@link Verbalizer#resolve})
     */
    public static LinearVerbalizer fromLabelWords(Verbalizer verbalizer, MaskedLanguageModel model) {
        List<LabelWord> words = verbalizer.resolve(model.tokenizer());
        EmbeddingMatrix e = model.outputEmbeddings();
        float[] outputBias = model.outputBias();
        List<float[]> rows = new ArrayList<>();
        float[] b = new float[verbalizer.classCount()];
        for (int c = 0; c < verbalizer.classCount(); c++) {
            String label = verbalizer.labels().get(c);
            double[] sum = new double[e.dim()];
            double biasSum = 0;
            int n = 0;
            for (LabelWord w : words) {
                if (!w.label().equals(label)) {
                    continue;
                }
                for (int id : w.pieceIds()) {
                    for (int j = 0; j < sum.length; j++) {
                        sum[j] += e.get(id, j);
                    }
                    biasSum += outputBias[id];
                    n++;
                }
            }
            float[] row = new float[sum.length];
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) (sum[j] / n);
            }
            rows.add(row);
            b[c] = (float) (biasSum / n);
        }
        return of(verbalizer.labels(), rows, b);
    }

    /** The class labels, in order. */
    public List<String> labels() {
        return labels;
    }

    /** Number of classes. */
    public int classCount() {
        return labels.size();
    }

    /** Length of each weight row: the hidden size of the model the verbalizer belongs to. */
    public int dim() {
        return weights[0].length;
    }

    /** A copy of the weight row of class {@code c}. */
    public float[] weights(int c) {
        return weights[c].clone();
    }

    /** Copies of all weight rows, in class order. */
    public List<float[]> weights() {
        List<float[]> out = new ArrayList<>(weights.length);
        for (float[] w : weights) {
            out.add(w.clone());
        }
        return out;
    }

    /** A copy of the biases, in class order. */
    public float[] bias() {
        return bias.clone();
    }

    /**
     * Class logits {@code z_c = w_c . h + b_c} of one transformed mask state, summed in double precision.
     *
     * @param h the state, length {@link #dim()}
     * @throws IllegalArgumentException for a state of another length
     */
    public double[] logits(float[] h) {
        return head.logits(checked(h));
    }

    /** The class distribution {@code softmax(logits(h))}. */
    public double[] probabilities(float[] h) {
        return head.probabilities(checked(h));
    }

    private float[] checked(float[] h) {
        if (h.length != dim()) {
            throw new IllegalArgumentException("the mask state has " + h.length + " values but the verbalizer's "
                    + "weights have " + dim() + "; use a verbalizer learned on this model");
        }
        return h;
    }

    /** The verbalizer's parameters as a {@link LinearHead} (rows in class order), e.g. to train them further. */
    public LinearHead head() {
        return head;
    }

    /** A verbalizer over the given labels with a head's parameters (row {@code c} for label {@code c}). */
    public static LinearVerbalizer of(List<String> labels, LinearHead head) {
        if (head == null) {
            throw new IllegalArgumentException("head must not be null");
        }
        float[] w = head.weights();
        List<float[]> rows = new ArrayList<>();
        for (int c = 0; c < head.classes(); c++) {
            rows.add(Arrays.copyOfRange(w, c * head.hidden(), (c + 1) * head.hidden()));
        }
        return of(labels, rows, head.bias());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearVerbalizer v && labels.equals(v.labels) && Arrays.deepEquals(weights, v.weights)
                && Arrays.equals(bias, v.bias);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * labels.hashCode() + Arrays.deepHashCode(weights)) + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "LinearVerbalizer[classes=" + labels + ", dim=" + dim() + "]";
    }
}
