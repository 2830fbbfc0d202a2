namespace MLNet.Rewards;

/// <summary>An options record whose <c>Validate</c> names the option that is wrong.</summary>
internal interface IComponentOptions
{
    /// <summary>Throws <c>InvalidOptionException</c> naming the bad option.</summary>
    void Validate();
}
