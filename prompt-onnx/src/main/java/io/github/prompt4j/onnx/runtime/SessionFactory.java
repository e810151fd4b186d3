package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates ONNX Runtime sessions on the requested device, falling back to CPU with one warning. */
final class SessionFactory {

    private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);

    /**
     * A session and where it runs.
     *
     * @param fallback why CUDA was not used although the options asked for it (empty if it was, or not asked)
     */
    record Created(OrtSession session, String provider, String fallback) {
    }

    private SessionFactory() {
    }

    /**
     * A session for {@code graph}.
     *
     * @param prepack whether this session loads and prepacks its own copy of the weights; otherwise it reads the
     *        shared mapping
     */
    static Created create(OrtEnvironment env, Path graph, OnnxMaskedLanguageModel.Options options,
            SharedWeights weights, boolean prepack) {
        String fallback = "";
        if (options.device() != Device.CPU) {
            if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                try (OrtSession.SessionOptions so = baseOptions(graph, options, weights, prepack)) {
                    so.addCUDA(options.deviceId());
                    return new Created(env.createSession(graph.toString(), so), "CUDA", "");
                } catch (OrtException e) {
                    fallback = "CUDA device " + options.deviceId() + " could not start (" + e.getMessage() + ")";
                }
            } else {
                fallback = "this ONNX Runtime build has no CUDA provider (depend on "
                        + "com.microsoft.onnxruntime:onnxruntime_gpu instead of onnxruntime; Maven profile -Pcuda here)";
            }
            log.debug("CUDA not used for {}: {}", graph, fallback);
        }
        try (OrtSession.SessionOptions so = baseOptions(graph, options, weights, prepack)) {
            return new Created(env.createSession(graph.toString(), so), "CPU", fallback);
        } catch (OrtException e) {
            throw new ModelLoadException("ONNX Runtime cannot load graph " + graph + ": " + e.getMessage()
                    + "; re-export the model directory", e);
        }
    }

    /** Names of the graph's external-data initializers (the graph files are small: weights live apart). */
    private static java.util.List<String> externalInitializers(Path graph) {
        try (InputStream in = Files.newInputStream(graph)) {
            return OnnxMl.ModelProto.parseFrom(in).getGraph().getInitializerList().stream()
                    .filter(t -> t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL)
                    .map(OnnxMl.TensorProto::getName).toList();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read graph " + graph + ": " + e.getMessage()
                    + "; re-export the model directory", e);
        }
    }

    private static OrtSession.SessionOptions baseOptions(Path graph, OnnxMaskedLanguageModel.Options options,
            SharedWeights weights, boolean prepack) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        if (!prepack) {
            // One copy of the weights: all sessions read the shared mapping; prepacking would copy every MatMul
            // weight into each session.
            so.addConfigEntry("session.disable_prepacking", "1");
            for (String name : externalInitializers(graph)) {
                OnnxTensor t = weights.tensors().get(name);
                if (t != null) {
                    so.addInitializer(name, t);
                }
            }
        }
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setIntraOpNumThreads(intraOpThreads(options));
        return so;
    }

    /**
     * The intra-op thread count: the configured one, else one per processor available to this JVM
     * ({@link Runtime#availableProcessors()}, which honours container CPU limits). Not left to ONNX Runtime's own
     * default: on this project's 2-core machine that ran BERT-base 1.75x slower (batch 32 x 64: forward 2.0 s vs
     * 1.15 s, gradient 4.6 s vs 2.9 s with two explicit threads).
     */
    static int intraOpThreads(OnnxMaskedLanguageModel.Options options) {
        return options.intraOpThreads() > 0 ? options.intraOpThreads() : Runtime.getRuntime().availableProcessors();
    }
}
