package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import java.util.ArrayList;
import java.util.List;

/** Shared set-up for the model benchmarks: the cached export, synthetic prompts of exact lengths, FLOP counts. */
final class BertFixture {

    private BertFixture() {
    }

    /** Opens a pretrained model on the CPU from the default cache (converting on first use), in FP32. */
    static OnnxMaskedLanguageModel open(String name, int threads) {
        return open(name, threads, "FP32");
    }

    /**
     * Opens a pretrained model on the CPU from the default cache (converting on first use).
     *
     * @param engine {@code FP32} (fused contrib operators), {@code INT8}, or {@code FP32_UNFUSED} (standard ONNX
     *        operators only, the engine before fusion)
     */
    static OnnxMaskedLanguageModel open(String name, int threads, String engine) {
        return open(name, threads, engine, "DEFAULT");
    }

    /**
     * As {@link #open(String, int, String)}, with weight prepacking {@code ON}, {@code OFF} or {@code DEFAULT}: the
     * builder's default, except that {@code FP32_UNFUSED} then runs as the engine did before fusion (prepacking off).
     */
    static OnnxMaskedLanguageModel open(String name, int threads, String engine, String prepack) {
        PretrainedModels model = PretrainedModels.byName(name);
        ModelDirectory dir = "FP32_UNFUSED".equals(engine)
                ? ModelCache.defaultCache().get(model, ModelExporter.Fusion.UNFUSED)
                : ModelCache.defaultCache().get(model);
        Precision precision = "INT8".equals(engine) ? Precision.INT8 : Precision.FP32;
        OnnxMaskedLanguageModel.Builder b = OnnxMaskedLanguageModel.builder().directory(dir.path())
                .device(Device.CPU).intraOpThreads(threads).maxBatchSize(1024).maxBatchTokens(1 << 20)
                .precision(precision);
        if (!"DEFAULT".equals(prepack)) {
            b.prepackWeights("ON".equals(prepack));
        } else if ("FP32_UNFUSED".equals(engine)) {
            b.prepackWeights(false);   // the engine before this change: standard operators, shared unpacked weights
        }
        return b.build();
    }

    /**
     * {@code batch} prompts of exactly {@code length} tokens ([CLS] words [MASK] . [SEP]) made from a real sentence
     * repeated, one mask each.
     */
    static List<EncodedPrompt> prompts(Tokenizer tok, int batch, int length) {
        int[] words = tok.encode("the film was a gripping , moving story about a family and its long journey home ,"
                + " told with warmth and humour").ids();
        List<EncodedPrompt> out = new ArrayList<>(batch);
        for (int b = 0; b < batch; b++) {
            int[] content = new int[length - tok.frameLength()];
            for (int i = 0; i < content.length; i++) {
                content[i] = words[(i + b) % words.length];
            }
            content[content.length - 2] = tok.specialTokens().mask();
            content[content.length - 1] = tok.tokenToId(".").orElseThrow();
            int[] ids = tok.frame(content);
            out.add(EncodedPrompt.of(ids, new int[] {tok.frameOffset() + content.length - 2}, new int[0]));
        }
        return out;
    }

    /** The label words the gradient benchmarks score: "good" and "great". */
    static int[] gradientLabelWords(Tokenizer tok) {
        return new int[] {tok.tokenToId("good").orElseThrow(), tok.tokenToId("great").orElseThrow()};
    }

    /** One gradient request per prompt: the label words' loss, gradients at positions 1 to 5. */
    static List<GradientRequest> gradientRequests(List<EncodedPrompt> prompts, int[] labelWords) {
        List<GradientRequest> out = new ArrayList<>(prompts.size());
        for (EncodedPrompt p : prompts) {
            out.add(GradientRequest.of(p, labelWords, new int[] {1, 2, 3, 4, 5}));
        }
        return out;
    }

    /**
     * Floating-point operations (multiply and add counted separately) of one forward pass over one sequence of
     * {@code length} tokens with one mask: encoder matrix products and attention, plus the MLM head on the mask row.
     */
    static double forwardFlops(BertConfig c, int length) {
        double h = c.hiddenSize();
        double perLayer = 2.0 * length * (4 * h * h + 2 * h * c.intermediateSize()) + 4.0 * length * length * h;
        double head = 2.0 * (h * h + h * c.vocabSize());
        return c.numLayers() * perLayer + head;
    }
}
