using System;
using System.Collections.Generic;

namespace Forecasting;

/// <summary>
/// The input of one step: the day's births, scaled, and the calendar of the day being forecast (the next one), which
/// is known in advance: its weekday, whether it is a holiday on which hospitals schedule few births, and where it
/// falls in the year.
/// </summary>
internal static class DayFeatures
{
    /// <summary>Days per training window.</summary>
    public const int Window = 56;

    /// <summary>Values per step: births, 7 weekday indicators, a holiday indicator, and the day of the year as a sine and cosine.</summary>
    public const int Features = 11;

    /// <summary>Writes the features of the step that reads <paramref name="day"/> and forecasts the day after it.</summary>
    public static void Write(DateOnly day, float scaledBirths, Span<float> features)
    {
        DateOnly next = day.AddDays(1);
        features.Clear();
        features[0] = scaledBirths;
        features[1 + (int)next.DayOfWeek] = 1f;
        features[8] = IsHoliday(next) ? 1f : 0f;
        double angle = 2 * Math.PI * (next.DayOfYear - 1) / 365.25;
        features[9] = (float)Math.Sin(angle);
        features[10] = (float)Math.Cos(angle);
    }

    /// <summary>
    /// The days around which US births drop sharply (scheduled inductions and caesareans move away from them): New
    /// Year's Day, Memorial Day, Independence Day, Labor Day, Thanksgiving and the day after, and December 24 to 26
    /// and 31.
    /// </summary>
    public static bool IsHoliday(DateOnly day) => day switch
    {
        { Month: 1, Day: 1 } or { Month: 7, Day: 4 } or { Month: 12, Day: 24 or 25 or 26 or 31 } => true,
        { Month: 5 } when day.DayOfWeek == DayOfWeek.Monday && day.AddDays(7).Month == 6 => true, // the last Monday in May
        { Month: 9 } when day.DayOfWeek == DayOfWeek.Monday && day.Day <= 7 => true, // the first Monday in September
        { Month: 11 } when day.DayOfWeek == DayOfWeek.Thursday && day.Day is >= 22 and <= 28 => true, // the fourth Thursday
        { Month: 11 } when day.DayOfWeek == DayOfWeek.Friday && day.Day is >= 23 and <= 29 => true, // the day after it
        _ => false,
    };
}
