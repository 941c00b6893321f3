using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace RnnDsl;

/// <summary>
/// Runs <c>body(0 … count − 1)</c> on the caller's thread and thread-pool threads, and returns when every part is done:
/// what <c>Parallel.For</c> does, without allocating per call and with helpers that stay awake a little.
/// </summary>
/// <remarks>
/// <para>
/// Written here rather than taken from <c>System.Threading.Tasks.Parallel</c> for two measured reasons. <c>Parallel.For</c>
/// allocated about 1.75 KB per two-thread <c>PredictBatch</c> (its tasks, loop state and the closure), against the
/// 0 B per call the hot paths keep. And in <c>Fit</c>, which dispatches three times per batch, a pool thread that had gone
/// to sleep started its share 24–32 µs after the dispatch on this project's 2-core VM, about 90 µs per batch of the
/// design card model (1.5 ms on one thread). Here a helper that ran a part spins for the next call for up to
/// <see cref="LingerMicroseconds"/>, so back-to-back dispatches find it awake; one that found no part left leaves.
/// (Side by side with <c>Parallel.For</c>, the time gained was within this VM's noise; the allocation is gone.)
/// </para>
/// <para>
/// Parts are claimed with one interlocked counter, and the caller claims parts too, so every part runs even if no pool
/// thread ever comes (no deadlock when the pool is starved or the body itself dispatches). The counter and the call's
/// part count share one 64-bit word, so a claim made against an earlier call's counter can never pass for a part of a
/// later call. A pool thread that arrives after the parts are gone leaves at once. The first exception a part throws is
/// rethrown to the caller as itself (not wrapped), after every claimed part has ended. One instance runs one call at a
/// time; <see cref="Run"/> keeps one per calling thread. Parts run without the caller's ExecutionContext (no
/// AsyncLocal values or culture flow to the helpers, unlike <c>Parallel.For</c>): the bodies here are model code that
/// reads neither.
/// </para>
/// </remarks>
internal sealed class ForkJoin : IThreadPoolWorkItem
{
    /// <summary>How long a helper waits, spinning, for the next call before it goes back to the pool.</summary>
    public const int LingerMicroseconds = 100;

    private static readonly long LingerTicks = Math.Max(1, Stopwatch.Frequency * LingerMicroseconds / 1_000_000);

    [ThreadStatic]
    private static ForkJoin? t_cached;

    // The caller waits on this (after a short spin) for the last part; made here, so no wait allocates it later.
    private readonly object _gate = new();
    private Action<int>? _body;
    private long _claims; // the call's part count in the high 32 bits, the parts claimed so far in the low 32
    private int _pending;
    private int _lingering;
    private int _queued; // visits queued to the pool and not yet started
    private int _generation;
    private bool _running;
    private ExceptionDispatchInfo? _error;

    /// <summary>
    /// Runs <paramref name="body"/> for 0 … <paramref name="count"/> − 1 on up to <paramref name="count"/> threads (the
    /// caller's among them) with this thread's instance, or a new one if this thread is already inside a call.
    /// </summary>
    public static void Run(int count, Action<int> body)
    {
        ForkJoin forkJoin = t_cached ??= new ForkJoin();
        if (forkJoin._running)
        {
            forkJoin = new ForkJoin(); // a part that dispatches again on the caller's thread
        }

        forkJoin.For(count, body);
    }

    /// <summary>
    /// Runs <paramref name="body"/> for 0 … <paramref name="count"/> − 1 on up to <paramref name="count"/> threads, the
    /// caller's among them; returns when all have ended, rethrowing the first exception a part threw.
    /// </summary>
    /// <exception cref="InvalidOperationException">This instance is already running a call.</exception>
    public void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_running)
        {
            throw new InvalidOperationException("This ForkJoin is already running a call; it runs one at a time.");
        }

        if (count <= 1)
        {
            if (count == 1)
            {
                body(0);
            }

            return;
        }

        _running = true;
        try
        {
            _body = body;
            _error = null;
            _pending = count;

            // Publishing the new claim word last (and the generation after it) hands the parts out: a helper that claims
            // a part has seen the body written above.
            Interlocked.Exchange(ref _claims, (long)count << 32);
            Interlocked.Increment(ref _generation);
            // Helpers awake or already on their way (a visit queued by an earlier call that has not started yet) take
            // parts of this call too, so only the rest are queued: the pool's queue never holds more than count − 1 of
            // this instance's visits (queueing one per call while the pool was busy grew its queue, an allocation).
            int coming = Volatile.Read(ref _lingering) + Volatile.Read(ref _queued);
            for (int helper = coming + 1; helper < count; helper++)
            {
                Interlocked.Increment(ref _queued);
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }

            _ = RunParts();
            WaitForParts();
            _error?.Throw();
        }
        finally
        {
            _body = null;
            _error = null;
            _running = false;
        }
    }

    /// <summary>The caller, its own parts done: spins while the others are likely to end soon, then sleeps until the last does.</summary>
    private void WaitForParts()
    {
        long until = Stopwatch.GetTimestamp() + LingerTicks;
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _pending) != 0)
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                lock (_gate)
                {
                    while (Volatile.Read(ref _pending) != 0)
                    {
                        Monitor.Wait(_gate);
                    }
                }

                return;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>A pool thread's visit: parts while there are any, then a short wait for the next call.</summary>
    void IThreadPoolWorkItem.Execute()
    {
        Interlocked.Decrement(ref _queued);
        while (true)
        {
            int generation = Volatile.Read(ref _generation);
            if (!RunParts())
            {
                return; // arrived after the parts were gone: nothing to stay awake for
            }

            Interlocked.Increment(ref _lingering);
            bool next = WaitForNextCall(generation);
            Interlocked.Decrement(ref _lingering);
            if (!next)
            {
                return;
            }
        }
    }

    /// <summary>Spins until a call after <paramref name="generation"/> starts (true) or the linger time passes (false).</summary>
    private bool WaitForNextCall(int generation)
    {
        long until = Stopwatch.GetTimestamp() + LingerTicks;
        var spinner = default(SpinWait);
        while (Volatile.Read(ref _generation) == generation)
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }

    /// <summary>Claims and runs parts until none are left; whether it ran any.</summary>
    private bool RunParts()
    {
        bool ran = false;
        while (true)
        {
            long claim = Interlocked.Increment(ref _claims);
            long part = (claim & uint.MaxValue) - 1;
            if (part >= (claim >> 32))
            {
                return ran;
            }

            ran = true;
            try
            {
                _body!((int)part);
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(error), null);
            }

            if (Interlocked.Decrement(ref _pending) == 0)
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }
}
