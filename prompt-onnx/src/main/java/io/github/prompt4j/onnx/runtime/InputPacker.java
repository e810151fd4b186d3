package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.Prefix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The one owner of model input packing: pads a batch of prompts into the graphs' input tensors (ids or input
 * embeddings, attention mask, token types, mask positions, gold ids), runs a session on them and closes every tensor.
 *
 * <p>Tensors are built over direct buffers (ONNX Runtime copies heap buffers) taken from a pool of buffer sets, so a
 * steady stream of batches allocates no new native memory: a set grows to the largest batch it has seen and is
 * reused; at most one set per concurrently running call exists. {@link OrtException}s become
 * {@link IllegalStateException}s naming the batch and the graph.
 *
 * <p>Thread-safe: concurrent calls use different buffer sets.
 */
final class InputPacker {

    /** Writes one prompt's input embeddings ({@code t * hidden} floats, padded) into {@code dst} from {@code offset}. */
    @FunctionalInterface
    interface EmbeddingFill {
        void fill(EncodedPrompt prompt, Map<Integer, float[]> soft, int t, FloatBuffer dst, int offset);
    }

    private final OrtEnvironment env;
    private final int pad;
    private final int hidden;
    private final ConcurrentLinkedDeque<Buffers> pool = new ConcurrentLinkedDeque<>();

    InputPacker(OrtEnvironment env, int pad, int hidden) {
        this.env = env;
        this.pad = pad;
        this.hidden = hidden;
    }

    /**
     * Runs a forward graph on the prompts at indices {@code batch}: token ids, or input embeddings from {@code fill}
     * when {@code soft} is not null; {@code read} gets the result while the tensors are alive.
     */
    <T> T forward(OrtSession session, String graph, List<EncodedPrompt> prompts, int[] batch,
            List<Map<Integer, float[]>> soft, EmbeddingFill fill, Set<String> outputs,
            Function<OrtSession.Result, T> read) {
        return forward(session, graph, prompts, batch, soft, fill, null, outputs, read);
    }

    /** As above, with prefix-tuning prefixes when {@code prefix} is not null (the prefix graphs). */
    <T> T forward(OrtSession session, String graph, List<EncodedPrompt> prompts, int[] batch,
            List<Map<Integer, float[]>> soft, EmbeddingFill fill, Prefix prefix, Set<String> outputs,
            Function<OrtSession.Result, T> read) {
        int b = batch.length;
        int t = 0;
        int m = 0;
        for (int i : batch) {
            t = Math.max(t, prompts.get(i).length());
            m = Math.max(m, prompts.get(i).maskCount());
        }
        Buffers buf = borrow();
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            LongBuffer attention = buf.longs(0, b * t);
            LongBuffer types = buf.longs(1, b * t);
            LongBuffer masks = buf.longs(2, b * m);
            LongBuffer ids = soft == null ? buf.longs(3, b * t) : null;
            FloatBuffer embeds = soft == null ? null : buf.floats(0, b * t * hidden);
            for (int r = 0; r < b; r++) {
                EncodedPrompt p = prompts.get(batch[r]);
                packRow(p, t, r, attention, types, ids);
                int[] pm = p.maskPositions();
                for (int j = 0; j < m; j++) {
                    masks.put(r * m + j, j < pm.length ? pm[j] : 0);
                }
                if (embeds != null) {
                    fill.fill(p, soft.get(batch[r]), t, embeds, r * t * hidden);
                }
            }
            if (embeds != null) {
                inputs.put("inputs_embeds", OnnxTensor.createTensor(env, embeds, new long[] {b, t, hidden}));
            } else {
                inputs.put("input_ids", OnnxTensor.createTensor(env, ids, new long[] {b, t}));
            }
            inputs.put("attention_mask", OnnxTensor.createTensor(env, attention, new long[] {b, t}));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, types, new long[] {b, t}));
            inputs.put("mask_positions", OnnxTensor.createTensor(env, masks, new long[] {b, m}));
            putPrefix(buf, prefix, inputs);
            try (OrtSession.Result result = session.run(inputs, outputs)) {
                return read.apply(result);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + b + " sequences of length " + t
                    + " in " + graph + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            pool.push(buf);
        }
    }

    /** Runs the gradient graph on the requests at indices {@code batch}. */
    <T> T gradient(OrtSession session, String graph, List<GradientRequest> requests, int[] batch, EmbeddingFill fill,
            int vocabularySize, Function<OrtSession.Result, T> read) {
        return gradient(session, graph, requests, batch, fill, null, new int[0], vocabularySize, read);
    }

    /**
     * As above, with prefix-tuning prefixes when {@code prefix} is not null (the prefix gradient graph), and with
     * {@code competitors}: ids that every row's loss normalises over besides its gold ids (gold mask -1; the class
     * cross-entropy when they are all classes' label words); empty for the label likelihood.
     */
    <T> T gradient(OrtSession session, String graph, List<GradientRequest> requests, int[] batch, EmbeddingFill fill,
            Prefix prefix, int[] competitors, int vocabularySize, Function<OrtSession.Result, T> read) {
        int b = batch.length;
        int g = 0;
        int[][] rivals = new int[b][];
        for (int r = 0; r < b; r++) {
            int[] ids = requests.get(batch[r]).goldTokenIds();
            rivals[r] = java.util.Arrays.stream(competitors).filter(c -> java.util.Arrays.stream(ids)
                    .noneMatch(x -> x == c)).toArray();
            g = Math.max(g, ids.length + rivals[r].length);
        }
        int width = g;
        return runGradient(session, graph, batch, i -> requests.get(i).prompt(), i -> requests.get(i).softVectors(),
                fill, prefix, (buf, inputs) -> {
                    LongBuffer gold = buf.longs(3, b * width);
                    FloatBuffer goldMask = buf.floats(1, b * width);
                    for (int r = 0; r < b; r++) {
                        int[] ids = requests.get(batch[r]).goldTokenIds();
                        int real = ids.length + rivals[r].length;
                        for (int k = 0; k < width; k++) {
                            int id = k < ids.length ? ids[k] : k < real ? rivals[r][k - ids.length] : 0;
                            if (k < real && (id < 0 || id >= vocabularySize)) {
                                throw new IllegalArgumentException((k < ids.length ? "gold" : "competitor")
                                        + " token id " + id + " of gradient request " + batch[r] + " is outside the "
                                        + "vocabulary [0, " + vocabularySize + ")");
                            }
                            gold.put(r * width + k, id);
                            goldMask.put(r * width + k, k < ids.length ? 1f : k < real ? -1f : 0f);
                        }
                    }
                    inputs.put("gold_ids", OnnxTensor.createTensor(env, gold, new long[] {b, width}));
                    inputs.put("gold_mask", OnnxTensor.createTensor(env, goldMask, new long[] {b, width}));
                }, read);
    }

    /**
     * Runs a learned-head gradient graph on the requests at indices {@code batch}: the head's weights and bias and
     * each row's gold class, with prefix-tuning prefixes when {@code prefix} is not null.
     */
    <T> T headGradient(OrtSession session, String graph, List<HeadLossRequest> requests, int[] batch,
            EmbeddingFill fill, LinearHead head, Prefix prefix, Function<OrtSession.Result, T> read) {
        int b = batch.length;
        return runGradient(session, graph, batch, i -> requests.get(i).prompt(), i -> requests.get(i).softVectors(),
                fill, prefix, (buf, inputs) -> {
                    LongBuffer gold = buf.longs(3, b);
                    for (int r = 0; r < b; r++) {
                        int c = requests.get(batch[r]).goldClass();
                        if (c >= head.classes()) {
                            throw new IllegalArgumentException("gold class " + c + " of head request " + batch[r]
                                    + " is outside the head's " + head.classes() + " classes");
                        }
                        gold.put(r, c);
                    }
                    FloatBuffer weights = buf.floats(4, head.classes() * head.hidden());
                    weights.put(head.weights()).rewind();
                    FloatBuffer bias = buf.floats(5, head.classes());
                    bias.put(head.bias()).rewind();
                    inputs.put("gold_class", OnnxTensor.createTensor(env, gold, new long[] {b}));
                    inputs.put("head_weight", OnnxTensor.createTensor(env, weights,
                            new long[] {head.classes(), head.hidden()}));
                    inputs.put("head_bias", OnnxTensor.createTensor(env, bias, new long[] {head.classes()}));
                }, read);
    }

    /** Adds the loss-specific inputs of a gradient graph. */
    @FunctionalInterface
    private interface LossInputs {
        void put(Buffers buf, Map<String, OnnxTensor> inputs) throws OrtException;
    }

    /** The inputs every gradient graph shares (embeddings, masks, types, one mask position per row, prefix). */
    private <T> T runGradient(OrtSession session, String graph, int[] batch, IntFunction<EncodedPrompt> prompts,
            IntFunction<Map<Integer, float[]>> soft, EmbeddingFill fill, Prefix prefix, LossInputs loss,
            Function<OrtSession.Result, T> read) {
        int b = batch.length;
        int t = 0;
        for (int i : batch) {
            t = Math.max(t, prompts.apply(i).length());
        }
        Buffers buf = borrow();
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        try {
            LongBuffer attention = buf.longs(0, b * t);
            LongBuffer types = buf.longs(1, b * t);
            LongBuffer masks = buf.longs(2, b);
            FloatBuffer embeds = buf.floats(0, b * t * hidden);
            for (int r = 0; r < b; r++) {
                EncodedPrompt p = prompts.apply(batch[r]);
                packRow(p, t, r, attention, types, null);
                fill.fill(p, soft.apply(batch[r]), t, embeds, r * t * hidden);
                masks.put(r, p.maskPositions()[0]);
            }
            inputs.put("inputs_embeds", OnnxTensor.createTensor(env, embeds, new long[] {b, t, hidden}));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, attention, new long[] {b, t}));
            inputs.put("token_type_ids", OnnxTensor.createTensor(env, types, new long[] {b, t}));
            inputs.put("mask_positions", OnnxTensor.createTensor(env, masks, new long[] {b}));
            loss.put(buf, inputs);
            putPrefix(buf, prefix, inputs);
            try (OrtSession.Result result = session.run(inputs)) {
                return read.apply(result);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a gradient batch of " + b + " sequences of length "
                    + t + " in " + graph + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            pool.push(buf);
        }
    }

    /** Adds {@code prefix_keys} and {@code prefix_values} {@code [layers, length, hidden]} when there is a prefix. */
    private void putPrefix(Buffers buf, Prefix prefix, Map<String, OnnxTensor> inputs) throws OrtException {
        if (prefix == null) {
            return;
        }
        long[] shape = {prefix.layers(), prefix.length(), prefix.hidden()};
        int n = prefix.layers() * prefix.length() * prefix.hidden();
        FloatBuffer keys = buf.floats(2, n);
        keys.put(prefix.keys()).rewind();
        FloatBuffer values = buf.floats(3, n);
        values.put(prefix.values()).rewind();
        inputs.put("prefix_keys", OnnxTensor.createTensor(env, keys, shape));
        inputs.put("prefix_values", OnnxTensor.createTensor(env, values, shape));
    }

    /** Attention mask, token types and (when {@code ids} is not null) ids of row {@code r}, padded to {@code t}. */
    private void packRow(EncodedPrompt p, int t, int r, LongBuffer attention, LongBuffer types, LongBuffer ids) {
        int[] pi = p.ids();
        int[] pa = p.attentionMask();
        int[] pt = p.tokenTypes();
        for (int j = 0; j < t; j++) {
            boolean real = j < pi.length;
            attention.put(r * t + j, real ? pa[j] : 0);
            types.put(r * t + j, real ? pt[j] : 0);
            if (ids != null) {
                ids.put(r * t + j, real ? pi[j] : pad);
            }
        }
    }

    private Buffers borrow() {
        Buffers b = pool.poll();
        return b != null ? b : new Buffers();
    }

    /** Number of buffer sets waiting in the pool. */
    int pooledSets() {
        return pool.size();
    }

    /** Growable direct buffers, one slot per input kind; a view of exactly the requested size is handed out. */
    private static final class Buffers {
        private final List<ByteBuffer> longSlots = new ArrayList<>(List.of(empty(), empty(), empty(), empty()));
        private final List<ByteBuffer> floatSlots = new ArrayList<>(List.of(empty(), empty(), empty(), empty(),
                empty(), empty()));

        private static ByteBuffer empty() {
            return ByteBuffer.allocateDirect(0);
        }

        LongBuffer longs(int slot, int count) {
            ByteBuffer b = grow(longSlots, slot, (long) count * Long.BYTES);
            return b.duplicate().order(ByteOrder.nativeOrder()).limit(count * Long.BYTES).asLongBuffer();
        }

        FloatBuffer floats(int slot, int count) {
            ByteBuffer b = grow(floatSlots, slot, (long) count * Float.BYTES);
            return b.duplicate().order(ByteOrder.nativeOrder()).limit(count * Float.BYTES).asFloatBuffer();
        }

        private static ByteBuffer grow(List<ByteBuffer> slots, int slot, long bytes) {
            if (bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a batch input of " + bytes + " bytes is too large; lower "
                        + "maxBatchTokens or maxBatchSize");
            }
            ByteBuffer b = slots.get(slot);
            if (b.capacity() < bytes) {
                b = ByteBuffer.allocateDirect((int) Math.max(bytes, b.capacity() * 3L / 2));
                slots.set(slot, b);
            }
            return b;
        }
    }
}
