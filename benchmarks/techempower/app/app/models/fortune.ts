import { Field, Model } from 'stryke';
import { ApplicationModel } from './application_model';

/** TechEmpower's Fortune table: 12 messages, one of them a `<script>` that must come out escaped. */
@Model('fortune')
export class Fortune extends ApplicationModel {
  @Field({ primary: true }) id!: number;
  @Field('string') message!: string;
}
