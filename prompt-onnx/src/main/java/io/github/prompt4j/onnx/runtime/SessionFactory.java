package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.ModelLoadException;
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

    static Created create(OrtEnvironment env, Path graph, OnnxMaskedLanguageModel.Options options,
            SharedWeights weights) {
        String fallback = "";
        if (options.device() != Device.CPU) {
            if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                try (OrtSession.SessionOptions so = baseOptions(options, weights)) {
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
        try (OrtSession.SessionOptions so = baseOptions(options, weights)) {
            return new Created(env.createSession(graph.toString(), so), "CPU", fallback);
        } catch (OrtException e) {
            throw new ModelLoadException("ONNX Runtime cannot load graph " + graph + ": " + e.getMessage()
                    + "; re-export the model directory", e);
        }
    }

    private static OrtSession.SessionOptions baseOptions(OnnxMaskedLanguageModel.Options options,
            SharedWeights weights) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        if (!options.prepackWeights()) {
            // One copy of the weights: both sessions read the shared mapping; prepacking would copy every MatMul
            // weight into each session.
            so.addConfigEntry("session.disable_prepacking", "1");
            for (var e : weights.tensors().entrySet()) {
                so.addInitializer(e.getKey(), e.getValue());
            }
        }
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (options.intraOpThreads() > 0) {
            so.setIntraOpNumThreads(options.intraOpThreads());
        }
        return so;
    }
}
