package io.github.prompt4j.onnx.export.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.internal.bert.BertGraphs;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.tokenizer.DjlTokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures, once at export, the largest magnitude of every input channel of the encoder's matrix products on a fixed
 * set of calibration sentences, for the smoothing of the int8 weights ({@code Int8Weights}). The sentences are built
 * in (reviews, facts, prompts with {@code [MASK]}, a few non-English lines for multilingual models), so an export is
 * reproducible and needs no data set. Each sentence runs alone, so padding never enters the maxima.
 *
 * <p>Stateless; runs ONNX Runtime on the CPU with the graph written into the export's staging directory.
 */
final class Int8Calibration {

    /** Calibration text: varied registers, lengths and prompt shapes. */
    static final List<String> SENTENCES = List.of(
            "the film is a gripping , moving story about a family and its long journey home .",
            "an utterly predictable , lifeless plot with wooden acting . it was [MASK] .",
            "i loved every minute of it , the music was fantastic and the cast perfect .",
            "Dante was born in [MASK] .",
            "The capital of France is [MASK] , and its largest river is the Seine .",
            "Barack Obama worked as a [MASK] before he became president of the United States .",
            "The company reported record profits in 2019 , driven by strong sales in Asia .",
            "This movie was [MASK] . Moreover the audiences were bored .",
            "Paris is the capital of France . Berlin is the capital of Germany .",
            "the soup was cold , the waiter rude , and we waited an hour . never again !",
            "Albert Einstein developed the theory of relativity , one of the pillars of modern physics .",
            "Water boils at 100 degrees Celsius at sea level .",
            "What a waste of time ! The ending made no sense at all .",
            "She plays the [MASK] in a jazz band and teaches music at the local school .",
            "The Amazon river flows through Brazil , Peru and Colombia into the Atlantic Ocean .",
            "a beautifully shot , warm and funny film that never talks down to its audience .",
            "The treaty was signed in 1648 , ending the Thirty Years ' War in Europe .",
            "It was really very [MASK] , I felt [MASK] after watching it .",
            "这家酒店的服务很好，房间也很干净。感觉很[MASK]。",
            "Der Film war langweilig und viel zu lang .",
            "La ville de Lyon est située en France .",
            "The official language of Brazil is [MASK] .",
            "Microsoft was founded by Bill Gates and Paul Allen in 1975 in Albuquerque .",
            "overall , a solid effort with a few memorable scenes but a weak second half .");

    private Int8Calibration() {
    }

    /**
     * The per-channel input maxima of every quantized product, keyed by int8 kernel name.
     *
     * @param dir the staging directory holding the weights file and {@code tokenizer.json}
     * @throws ModelLoadException when ONNX Runtime cannot run the calibration graph
     */
    static Map<String, float[]> measure(BertConfig config, WeightFile weights, Path dir, boolean lowerCase,
            int maxSequenceLength) throws IOException {
        Path graph = dir.resolve(".calibration.onnx");
        try (OutputStream out = Files.newOutputStream(graph)) {
            BertGraphs.calibration(config, weights).writeTo(out);
        }
        Map<String, float[]> max = new LinkedHashMap<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (DjlTokenizer tok = DjlTokenizer.load(dir.resolve(ModelManifest.TOKENIZER_FILE), maxSequenceLength,
                lowerCase);
                OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(graph.toString(), options)) {
            for (String sentence : SENTENCES) {
                int[] ids = tok.frame(tok.encode(sentence).ids());
                long[] longIds = new long[ids.length];
                long[] ones = new long[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    longIds[i] = ids[i];
                    ones[i] = 1;
                }
                long[] shape = {1, ids.length};
                try (OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(longIds), shape);
                        OnnxTensor mask = OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape);
                        OnnxTensor types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape);
                        OrtSession.Result r = session.run(Map.of(BertGraphs.INPUT_IDS, in, BertGraphs.ATTENTION_MASK,
                                mask, BertGraphs.TOKEN_TYPE_IDS, types))) {
                    for (Map.Entry<String, OnnxValue> e : r) {
                        FloatBuffer values = ((OnnxTensor) e.getValue()).getFloatBuffer();
                        float[] acc = max.computeIfAbsent(e.getKey(), k -> new float[values.remaining()]);
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.max(acc[i], values.get(i));
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new ModelLoadException("int8 calibration of the export in " + dir + " failed: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(graph);
        }
        return max;
    }
}
