using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Forecasting;
using RnnDsl;
using RnnDsl.Samples;

// Forecasting US daily births (2000-2014, Social Security Administration): an LSTM and a SimpleRNN that read the series
// a day at a time and forecast the next day, against naive baselines on the held-out final year (2014), by MAE and
// RMSE. The trained LSTM then replays 2014 as a stream with the step API, one Step per day, and the forecasts are
// plotted against what happened.
//
//   dotnet run --project samples/Forecasting -c Release              train both models (seconds), evaluate, plot
//   dotnet run --project samples/Forecasting -c Release -- --quick   two epochs, saved apart (output-quick; what CI runs)
bool quick = args.Contains("--quick");
string output = Path.Combine(AppContext.BaseDirectory, quick ? "output-quick" : "output");
int outputAt = Array.IndexOf(args, "--output");
if (outputAt >= 0)
{
    if (outputAt + 1 == args.Length)
    {
        Console.Error.WriteLine("--output needs a folder.");
        return 2;
    }

    output = args[outputAt + 1];
}

(DateOnly[] dates, float[] births) = ReadSeries("us-births-2000-2014.csv");
int validationStart = Array.IndexOf(dates, new DateOnly(2013, 1, 1));
int testStart = Array.IndexOf(dates, new DateOnly(2014, 1, 1));
Console.WriteLine($"US births per day, {dates[0]:yyyy-MM-dd} to {dates[^1]:yyyy-MM-dd} ({dates.Length:N0} days): training 2000-2012, validation 2013, held-out test 2014.");

// Scaled with the training years' mean and standard deviation only.
double mean = births[..validationStart].Average();
double deviation = Math.Sqrt(births[..validationStart].Select(b => (b - mean) * (b - mean)).Average());
float[] scaled = births.Select(b => (float)((b - mean) / deviation)).ToArray();
float Unscale(float value) => (float)((value * deviation) + mean);

// One row of features per day: the step that reads day d forecasts day d + 1.
const int Width = DayFeatures.Features;
var features = new float[dates.Length * Width];
for (int d = 0; d < dates.Length; d++)
{
    DayFeatures.Write(dates[d], scaled[d], features.AsSpan(d * Width, Width));
}

// Windows of 56 days; each step's target is the next day. Training windows forecast only training days,
// validation windows only 2013; 2014 is never seen before the test.
(float[][] Inputs, float[][] Targets) Windows(int firstForecast, int lastForecast, int stride)
{
    var inputs = new List<float[]>();
    var targets = new List<float[]>();
    for (int start = Math.Max(0, firstForecast - 1); start + DayFeatures.Window <= lastForecast; start += stride)
    {
        inputs.Add(features.AsSpan(start * Width, DayFeatures.Window * Width).ToArray());
        targets.Add(scaled.AsSpan(start + 1, DayFeatures.Window).ToArray());
    }

    return (inputs.ToArray(), targets.ToArray());
}

var (trainInputs, trainTargets) = Windows(1, validationStart - 1, stride: 2);
var (validationInputs, validationTargets) = Windows(validationStart, testStart - 1, stride: 7);
Console.WriteLine($"Windows of {DayFeatures.Window} days, {DayFeatures.Features} features per day (births; the forecast day's weekday, holiday flag and place in the year): {trainInputs.Length:N0} for training, {validationInputs.Length:N0} for validation.");
Console.WriteLine();

FitOptions Options(TrainingProgress progress) => new()
{
    Epochs = quick ? 2 : 100,
    BatchSize = 32,
    Optimizer = new Adam(learningRate: 0.003f),
    Loss = Loss.MeanSquaredError,
    EarlyStopping = new EarlyStopping { Monitor = "val_loss", Patience = 10, RestoreBestWeights = true },
    Seed = 1,
    OnBatchEnd = progress.OnBatch,
    OnEpochEnd = progress.OnEpoch,
};

var lstm = new BirthsLstm(seed: 1);
Console.WriteLine("BirthsLstm: Input(56, 11) -> LSTM(32, return_sequences) -> Dense(1), mean squared error, early stopping on val_loss:");
var clock = Stopwatch.StartNew();
TrainingProgress.Run(progress => lstm.Fit(trainInputs, trainTargets, Options(progress), validationInputs, validationTargets));
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");
Console.WriteLine();

var simple = new BirthsSimpleRnn(seed: 1);
Console.WriteLine("BirthsSimpleRnn: the same with SimpleRNN(32):");
clock.Restart();
TrainingProgress.Run(progress => simple.Fit(trainInputs, trainTargets, Options(progress), validationInputs, validationTargets));
Console.WriteLine($"Trained in {clock.Elapsed.TotalSeconds:F1} s.");

Directory.CreateDirectory(output);
string weightsPath = Path.Combine(output, "births-lstm.rnnw");
lstm.SaveWeights(weightsPath);

// The test: every day of 2014, forecast the evening before.
int testDays = dates.Length - testStart;
float[] actual = births[testStart..];
float[] Baseline(Func<int, double> forecast) => Enumerable.Range(testStart, testDays).Select(day => (float)forecast(day)).ToArray();
float[] lastWeek = Baseline(day => births[day - 7]);
float[] movingAverage = Baseline(day => births[(day - 7)..day].Average());
float[] sameWeekday = Baseline(day => (births[day - 7] + births[day - 14] + births[day - 21] + births[day - 28]) / 4.0);

// Windowed: Predict on the 56 days before each test day; its last row forecasts the day.
float[] Windowed<TModel>(TModel model)
    where TModel : IRealValuedModel
{
    var rows = new float[DayFeatures.Window];
    return Baseline(day =>
    {
        model.Predict(features.AsSpan((day - DayFeatures.Window) * Width, DayFeatures.Window * Width), rows);
        return Unscale(rows[^1]);
    });
}

float[] lstmWindowed = Windowed(lstm);
float[] simpleWindowed = Windowed(simple);

// The stream: one state, one Step per day, as an app that receives each day's count in the evening would run it.
// It starts one window before 2014 (the length the model was trained on) and then simply keeps going through 2014.
RnnState state = lstm.CreateState();
var forecast = new float[1];
float[] lstmStream = new float[testDays];
int streamStart = testStart - DayFeatures.Window;
clock.Restart();
for (int day = streamStart; day < dates.Length - 1; day++)
{
    lstm.Step(features.AsSpan(day * Width, Width), state, forecast);
    if (day + 1 >= testStart)
    {
        lstmStream[day + 1 - testStart] = Unscale(forecast[0]);
    }
}

double microsecondsPerStep = clock.Elapsed.TotalMicroseconds / (dates.Length - 1 - streamStart);

// The stream's first forecast of 2014 has read exactly the window Predict read for it: the two must agree.
float firstDifference = Math.Abs(lstmStream[0] - lstmWindowed[0]);

Console.WriteLine();
Console.WriteLine($"Forecasts of the {testDays} days of 2014 (births per day; mean {actual.Average():N0}):");
Console.WriteLine($"  {"forecast",-52} {"MAE",7} {"RMSE",7}");
void Row(string name, float[] predicted) => Console.WriteLine($"  {name,-52} {Mae(predicted),7:N0} {Rmse(predicted),7:N0}");
Row("same day last week", lastWeek);
Row("mean of the last 7 days", movingAverage);
Row("mean of the same weekday in the last 4 weeks", sameWeekday);
Row("BirthsSimpleRnn, Predict on the 56 days before", simpleWindowed);
Row("BirthsLstm, Predict on the 56 days before", lstmWindowed);
Row("BirthsLstm, one Step per day through the year", lstmStream);
Console.WriteLine();
Console.WriteLine($"The stream ran {dates.Length - 1 - streamStart} steps at {microsecondsPerStep:F1} µs per Step; its first forecast equals Predict on the same window to {firstDifference:G2} births.");
Console.WriteLine("Replayed through Step, the first days of 2014:");
for (int i = 0; i < 7; i++)
{
    Console.WriteLine($"  {dates[testStart + i]:ddd yyyy-MM-dd}  actual {actual[i],6:N0}  forecast {lstmStream[i],6:N0}  same day last week {lastWeek[i],6:N0}");
}

string plotPath = Path.Combine(output, "forecast-2014.png");
ForecastPlot.Write(plotPath, dates[testStart..], actual, lstmStream, lastWeek);
Console.WriteLine();
Console.WriteLine($"Saved the LSTM to {weightsPath}");
Console.WriteLine($"Wrote the plot of forecast against actual to {plotPath}");
return 0;

double Mae(float[] predicted) => predicted.Zip(actual, (p, a) => Math.Abs(p - a)).Average();

double Rmse(float[] predicted) => Math.Sqrt(predicted.Zip(actual, (p, a) => (double)(p - a) * (p - a)).Average());

static (DateOnly[] Dates, float[] Births) ReadSeries(string name)
{
    using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"The resource {name} is not embedded in the program.");
    using var reader = new StreamReader(stream);
    var dates = new List<DateOnly>();
    var births = new List<float>();
    reader.ReadLine(); // date,births
    while (reader.ReadLine() is { Length: > 0 } line)
    {
        string[] fields = line.Split(',');
        dates.Add(DateOnly.ParseExact(fields[0], "yyyy-MM-dd", CultureInfo.InvariantCulture));
        births.Add(float.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    return (dates.ToArray(), births.ToArray());
}
