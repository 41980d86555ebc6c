package ember.sim;

import ember.kernel.state.KernelLimits;

/**
 * Small limits, so that a short run reaches every one of them.
 *
 * @param maxQueue    events per queue.
 * @param maxPayload  encoded bytes of a table or event data.
 * @param maxProcesses live processes.
 * @param maxPerUser  live processes of one user.
 * @param maxTimers   pending timers and alarms per process.
 * @param maxParked   waiting pulls per process.
 */
record SimLimits(int maxQueue, int maxPayload, int maxProcesses, int maxPerUser, int maxTimers, int maxParked)
{
    KernelLimits kernelLimits()
    {
        return new KernelLimits(maxQueue, maxPayload, maxProcesses, maxPerUser, maxTimers);
    }
}
