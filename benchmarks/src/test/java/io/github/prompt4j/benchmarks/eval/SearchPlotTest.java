package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.search.trigger.PassCounts;
import io.github.prompt4j.search.trigger.SearchStep;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchPlotTest {

    @TempDir
    Path dir;

    private static SearchStep step(int i, double loss, double dev) {
        return new SearchStep(i, 3, 0, new int[] {7}, List.of("the"), loss, true, dev, dev, PassCounts.zero(),
                Duration.ofSeconds(i));
    }

    @Test
    void writesAPngOfTheStatedSize() throws IOException {
        Path png = dir.resolve("plots/steps.png");
        SearchPlot.write(List.of(step(1, 0.9, 0.5), step(2, Double.NaN, 0.6), step(3, 0.4, 0.7)),
                "{sentence} the [MASK] .", "dev accuracy", png);
        byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(SearchPlot.WIDTH, image.getWidth());
        assertEquals(SearchPlot.HEIGHT, image.getHeight());
    }

    @Test
    void refusesToPlotNoSteps() {
        assertThrows(IllegalArgumentException.class, () -> SearchPlot.write(List.of(), "t", "dev accuracy",
                dir.resolve("x.png")));
    }
}
