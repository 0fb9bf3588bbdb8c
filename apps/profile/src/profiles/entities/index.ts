import { AppliedEvent } from './applied-event.entity';
import { Profile, detailsOf, stateOf } from './profile.entity';
import { ProfileIdentity } from './profile-identity.entity';
import { ProfileMerge } from './profile-merge.entity';

export { AppliedEvent, Profile, ProfileIdentity, ProfileMerge, detailsOf, stateOf };
export const PROFILE_ENTITIES = [Profile, ProfileIdentity, AppliedEvent, ProfileMerge];
