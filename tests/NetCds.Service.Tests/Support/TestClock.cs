using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace NetCds.Service.Tests.Support;

/// <summary>
/// The clock of the service tests: a clock that starts at an instant of the test's choosing and runs on in real time
/// (timers and timeouts stay real, so the service's background loops run as in production).
/// <see cref="Shared"/> starts at the wall clock moved by <c>NETCDS_TEST_CLOCK_SHIFT_DAYS</c> (0 unless set):
/// <c>./test.sh</c> runs the service tests a second time a year ahead, which proves that no test meets the wall clock
/// with a date of its own. PostgreSQL and RabbitMQ stay on the real clock.
/// </summary>
public sealed class TestClock : TimeProvider
{
    /// <summary>The environment variable that moves <see cref="Shared"/>: whole days, may be negative.</summary>
    public const string ShiftVariable = "NETCDS_TEST_CLOCK_SHIFT_DAYS";

#pragma warning disable RS0030 // The tests' composition root: the one place they read the wall clock.
    private static readonly TimeProvider Wall = TimeProvider.System;
#pragma warning restore RS0030

    private readonly DateTimeOffset _start;
    private readonly long _startedAt;

    /// <summary>A clock that reads <paramref name="start"/> now and runs on from it.</summary>
    public TestClock(DateTimeOffset start)
    {
        _start = start;
        _startedAt = GetTimestamp();
    }

    /// <summary>How far <see cref="Shared"/> is from the wall clock.</summary>
    public static TimeSpan Shift { get; } = TimeSpan.FromDays(
        int.TryParse(Environment.GetEnvironmentVariable(ShiftVariable), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var days) ? days : 0);

    /// <summary>The clock every service host in the tests runs on unless a test pins another.</summary>
    public static TestClock Shared { get; } = new(Wall.GetUtcNow() + Shift);

    /// <summary>The instant on <see cref="Shared"/>: what "now" is to the service under test.</summary>
    public static DateTimeOffset Now => Shared.GetUtcNow();

    /// <summary>A date <paramref name="daysAgo"/> days before <see cref="Now"/>, as FHIR writes a date (yyyy-mm-dd).</summary>
    public static string DaysAgo(int daysAgo) => Now.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The wall clock itself, for a service in another process (it runs on the real clock, and the dates sent to it
    /// must be built from the same one). Nothing else in the tests reads it.
    /// </summary>
    public static TimeProvider OutOfProcess => Wall;

    public override DateTimeOffset GetUtcNow() => _start + GetElapsedTime(_startedAt);

    /// <summary>
    /// The <c>nbf</c>/<c>exp</c> check an EHR or authorization server of the tests makes, on <see cref="Shared"/>
    /// (IdentityModel's own check reads the wall clock): set as <see cref="TokenValidationParameters.LifetimeValidator"/>.
    /// </summary>
    public static bool LifetimeIsValid(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var now = Now.UtcDateTime;
        return (notBefore is null || notBefore <= now + parameters.ClockSkew)
            && (expires is { } end ? end >= now - parameters.ClockSkew : !parameters.RequireExpirationTime);
    }
}

/// <summary>Runs a test host on a <see cref="TestClock"/>.</summary>
internal static class TestClockHosting
{
    /// <summary>The host's <see cref="TimeProvider"/> is <paramref name="clock"/> (<see cref="TestClock.Shared"/> unless given).</summary>
    public static IWebHostBuilder UseTestClock(this IWebHostBuilder builder, TimeProvider? clock = null) =>
        builder.ConfigureTestServices(services => services.AddSingleton(clock ?? TestClock.Shared));
}
