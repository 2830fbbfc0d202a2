using MLNet.Rewards.Training;

namespace MLNet.Rewards.Heads;

/// <summary>
/// A head whose starting point depends on the training features (for example prototypes placed by k-means++).
/// <see cref="PairwiseTrainer"/> calls <see cref="Initialize"/> once, after the validation hold-out and before the first
/// epoch, when it creates the head itself; a head passed in to continue training is left as it is.
/// </summary>
internal interface IDataInitializedHead
{
    /// <summary>Sets the parameters from the responses of <paramref name="train"/> (chosen and rejected rows); labels are not used.</summary>
    void Initialize(PairwiseDataset train, long seed);
}
