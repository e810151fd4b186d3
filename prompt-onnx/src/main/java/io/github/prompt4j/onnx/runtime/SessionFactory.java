package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.ModelLoadException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates ONNX Runtime sessions on the requested device, falling back to CPU with one warning. */
final class SessionFactory {

    private static final Logger log = LoggerFactory.getLogger(SessionFactory.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    record Created(OrtSession session, String provider) {
    }

    private SessionFactory() {
    }

    static Created create(OrtEnvironment env, Path graph, OnnxMaskedLanguageModel.Options options,
            SharedWeights weights) {
        boolean wantCuda = options.device() != Device.CPU;
        if (wantCuda) {
            if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                try (OrtSession.SessionOptions so = baseOptions(options, weights)) {
                    so.addCUDA(options.deviceId());
                    return new Created(env.createSession(graph.toString(), so), "CUDA");
                } catch (OrtException e) {
                    warn(options, "CUDA could not start (" + e.getMessage() + ")");
                }
            } else if (options.device() == Device.CUDA) {
                warn(options, "this ONNX Runtime build has no CUDA provider (use the onnxruntime_gpu artifact, "
                        + "Maven profile -Pcuda)");
            }
        }
        try (OrtSession.SessionOptions so = baseOptions(options, weights)) {
            return new Created(env.createSession(graph.toString(), so), "CPU");
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

    private static void warn(OnnxMaskedLanguageModel.Options options, String why) {
        if (options.device() == Device.CUDA && WARNED.compareAndSet(false, true)) {
            log.warn("device CUDA was requested but {}; running on CPU", why);
        } else {
            log.debug("CUDA not used: {}", why);
        }
    }
}
