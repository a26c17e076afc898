import { IsInt, IsString, Length, Min } from 'class-validator';

export class CreateWidget {
  @IsString() @Length(3, 20) name!: string;
  @IsInt() @Min(1) size!: number;
}
