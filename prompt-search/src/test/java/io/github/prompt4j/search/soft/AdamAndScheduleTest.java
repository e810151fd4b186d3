package io.github.prompt4j.search.soft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Adam's update and the learning-rate schedules against hand-computed values. */
class AdamAndScheduleTest {

    @Test
    void adamsBiasCorrectedStepsMoveEachCoordinateByTheLearningRate() {
        // With bias correction, m_hat = g and v_hat = g^2 while g is constant: every step is lr * sign(g).
        Adam adam = new Adam(3, 0.9, 0.999, 1e-8);
        double[] params = {0, 1, 5};
        adam.step(params, new double[] {2, -0.5, 0}, 0.1);
        assertArrayEquals(new double[] {-0.1, 1.1, 5}, params, 1e-6);
        adam.step(params, new double[] {2, -0.5, 0}, 0.1);
        assertArrayEquals(new double[] {-0.2, 1.2, 5}, params, 1e-6);
        assertEquals(2, adam.steps());
    }

    @Test
    void twoParameterGroupsTakeTheirOwnRatesAndShareTheMoments() {
        // the same steps as above; the coordinates from index 2 on move by their own rate, 0 leaving them in place
        Adam adam = new Adam(4, 0.9, 0.999, 1e-8);
        double[] params = {0, 1, 5, 7};
        adam.step(params, new double[] {2, -0.5, 1, -3}, 0.1, 2, 0.01);
        assertArrayEquals(new double[] {-0.1, 1.1, 4.99, 7.01}, params, 1e-6);
        adam.step(params, new double[] {2, -0.5, 1, -3}, 0.1, 2, 0);
        assertArrayEquals(new double[] {-0.2, 1.2, 4.99, 7.01}, params, 1e-6);
        // the frozen group's moments moved all the same: a later step at its rate follows them
        assertArrayEquals(new double[] {0.19 * 2, -0.19 * 0.5, 0.19, -0.19 * 3}, adam.firstMoments(), 1e-12);
        Adam one = new Adam(2, 0.9, 0.999, 1e-8);
        double[] a = {3, 4};
        double[] b = {3, 4};
        one.step(a, new double[] {1, 2}, 0.05);
        new Adam(2, 0.9, 0.999, 1e-8).step(b, new double[] {1, 2}, 0.05, 1, 0.05);
        assertArrayEquals(a, b, 0, "one rate for both groups is the single-group step");
    }

    @Test
    void adamsSecondStepAfterASignFlipFollowsTheMoments() {
        Adam adam = new Adam(1, 0.5, 0.5, 0);
        double[] p = {0};
        adam.step(p, new double[] {1}, 1);
        adam.step(p, new double[] {-1}, 1);
        // m = 0.5*0.5 + 0.5*(-1) = -0.25, v = 0.5*0.5 + 0.5 = 0.75; m_hat = -0.25/0.75, v_hat = 0.75/0.75 = 1
        assertEquals(-1 + 1.0 / 3, p[0], 1e-12);
    }

    @Test
    void schedulesWarmUpLinearlyThenDecay() {
        // W = 2, T = 6
        assertEquals(0.5, LearningRateSchedule.LINEAR.factor(1, 2, 6), 1e-12);
        assertEquals(1.0, LearningRateSchedule.LINEAR.factor(2, 2, 6), 1e-12);
        assertEquals(1.0, LearningRateSchedule.LINEAR.factor(3, 2, 6), 1e-12);
        assertEquals(0.75, LearningRateSchedule.LINEAR.factor(4, 2, 6), 1e-12);
        assertEquals(0.25, LearningRateSchedule.LINEAR.factor(6, 2, 6), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 4)), LearningRateSchedule.COSINE.factor(4, 2, 6), 1e-12);
        assertEquals(1.0, LearningRateSchedule.CONSTANT.factor(6, 2, 6), 1e-12);
        assertEquals(1.0, LearningRateSchedule.LINEAR.factor(1, 0, 4), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.LINEAR.factor(7, 2, 6));
    }
}
