namespace OrleansPigmm.Grains.Runtime;

/// <summary>
/// Marks a grain interface: an addressable, single-threaded unit of state and behaviour identified
/// by a string key. Every method returns a Task; calls to one activation run one at a time, in
/// order of arrival (turn-based, non-reentrant), as in Orleans.
/// </summary>
public interface IGrainWithStringKey;
