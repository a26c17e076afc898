import { Field, Model } from 'stryke';
import { ApplicationModel } from './application_model';

/** TechEmpower's World table: 10,000 rows, each a random number from 1 to 10,000. */
@Model('world')
export class World extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field('integer') randomNumber!: number;
}
