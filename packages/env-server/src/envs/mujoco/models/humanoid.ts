/**
 * Humanoid: a 3D biped (13 bodies, 17 hinges, free root) with PGS solver. Written from the physical parameters
 * of Gymnasium's humanoid.xml, including its left/right asymmetries (hip_y armature, knee stiffness). Robot
 * self-contacts are frictionless (condim 1); contacts with the floor get condim 3.
 */
interface Hinge {
  name: string;
  axis: string;
  range: string;
  stiffness: number;
  damping: number;
  armature: number;
  pos?: string;
}

function hinge(j: Hinge): string {
  const pos = j.pos ? ` pos="${j.pos}"` : '';
  return `<joint name="${j.name}" type="hinge"${pos} axis="${j.axis}" range="${j.range}" stiffness="${j.stiffness}" damping="${j.damping}" armature="${j.armature}"/>`;
}

function leg(side: 'right' | 'left'): string {
  const s = side === 'right' ? -1 : 1;
  const hipY = side === 'right' ? 0.008 : 0.01;
  const kneeStiffness = side === 'right' ? 0 : 1;
  return `
        <body name="${side}_thigh" pos="0 ${0.1 * s} -0.04">
          ${hinge({ name: `${side}_hip_x`, axis: `${-s} 0 0`, range: '-25 5', stiffness: 10, damping: 5, armature: 0.01 })}
          ${hinge({ name: `${side}_hip_z`, axis: `0 0 ${-s}`, range: '-60 35', stiffness: 10, damping: 5, armature: 0.01 })}
          ${hinge({ name: `${side}_hip_y`, axis: '0 1 0', range: '-110 20', stiffness: 20, damping: 5, armature: hipY })}
          <geom name="${side}_thigh1" type="capsule" fromto="0 0 0 0 ${-0.01 * s} -0.34" size="0.06"/>
          <body name="${side}_shin" pos="0 ${-0.01 * s} -0.403">
            ${hinge({ name: `${side}_knee`, pos: '0 0 0.02', axis: '0 -1 0', range: '-160 -2', stiffness: kneeStiffness, damping: 1, armature: 0.006 })}
            <geom name="${side}_shin1" type="capsule" fromto="0 0 0 0 0 -0.3" size="0.049"/>
            <body name="${side}_foot" pos="0 0 -0.45">
              <geom name="${side}_foot" type="sphere" pos="0 0 0.1" size="0.075"/>
            </body>
          </body>
        </body>`;
}

function arm(side: 'right' | 'left'): string {
  const s = side === 'right' ? -1 : 1;
  const [shoulderLow, shoulderHigh] = side === 'right' ? [-85, 60] : [-60, 85];
  const range = `${shoulderLow} ${shoulderHigh}`;
  return `
      <body name="${side}_upper_arm" pos="0 ${0.17 * s} 0.06">
        ${hinge({ name: `${side}_shoulder1`, axis: `2 ${-s} 1`, range, stiffness: 1, damping: 1, armature: 0.0068 })}
        ${hinge({ name: `${side}_shoulder2`, axis: `0 ${s} 1`, range, stiffness: 1, damping: 1, armature: 0.0051 })}
        <geom name="${side}_uarm1" type="capsule" fromto="0 0 0 0.16 ${0.16 * s} -0.16" size="0.04 0.16"/>
        <body name="${side}_lower_arm" pos="0.18 ${0.18 * s} -0.18">
          ${hinge({ name: `${side}_elbow`, axis: `0 -1 ${-s}`, range: '-90 50', stiffness: 0, damping: 1, armature: 0.0028 })}
          <geom name="${side}_larm" type="capsule" fromto="0.01 ${-0.01 * s} 0.01 0.17 ${-0.17 * s} 0.17" size="0.031"/>
          <geom name="${side}_hand" type="sphere" pos="0.18 ${-0.18 * s} 0.18" size="0.04"/>
        </body>
      </body>`;
}

const GEARS: [string, number][] = [
  ['abdomen_y', 100],
  ['abdomen_z', 100],
  ['abdomen_x', 100],
  ['right_hip_x', 100],
  ['right_hip_z', 100],
  ['right_hip_y', 300],
  ['right_knee', 200],
  ['left_hip_x', 100],
  ['left_hip_z', 100],
  ['left_hip_y', 300],
  ['left_knee', 200],
  ['right_shoulder1', 25],
  ['right_shoulder2', 25],
  ['right_elbow', 25],
  ['left_shoulder1', 25],
  ['left_shoulder2', 25],
  ['left_elbow', 25],
];

export const HUMANOID_XML = `
<mujoco model="humanoid">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option timestep="0.003" integrator="RK4" solver="PGS" iterations="50"/>
  <size memory="2M"/>
  <default>
    <joint armature="1" damping="1"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001"/>
    <motor ctrlrange="-0.4 0.4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" size="20 20 0.125" condim="3" friction="1 0.1 0.1"/>
    <body name="torso" pos="0 0 1.4">
      <joint name="root" type="free" armature="0" damping="0"/>
      <geom name="torso1" type="capsule" fromto="0 -0.07 0 0 0.07 0" size="0.07"/>
      <geom name="head" type="sphere" pos="0 0 0.19" size="0.09"/>
      <geom name="uwaist" type="capsule" fromto="-0.01 -0.06 -0.12 -0.01 0.06 -0.12" size="0.06"/>
      <body name="lwaist" pos="-0.01 0 -0.26" quat="1 0 -0.002 0">
        <geom name="lwaist" type="capsule" fromto="0 -0.06 0 0 0.06 0" size="0.06"/>
        ${hinge({ name: 'abdomen_z', pos: '0 0 0.065', axis: '0 0 1', range: '-45 45', stiffness: 20, damping: 5, armature: 0.02 })}
        ${hinge({ name: 'abdomen_y', pos: '0 0 0.065', axis: '0 1 0', range: '-75 30', stiffness: 10, damping: 5, armature: 0.02 })}
        <body name="pelvis" pos="0 0 -0.165" quat="1 0 -0.002 0">
          ${hinge({ name: 'abdomen_x', pos: '0 0 0.1', axis: '1 0 0', range: '-35 35', stiffness: 10, damping: 5, armature: 0.02 })}
          <geom name="butt" type="capsule" fromto="-0.02 -0.07 0 -0.02 0.07 0" size="0.09"/>${leg('right')}${leg('left')}
        </body>
      </body>${arm('right')}${arm('left')}
    </body>
  </worldbody>
  <tendon>
    <fixed name="left_hipknee">
      <joint joint="left_hip_y" coef="-1"/>
      <joint joint="left_knee" coef="1"/>
    </fixed>
    <fixed name="right_hipknee">
      <joint joint="right_hip_y" coef="-1"/>
      <joint joint="right_knee" coef="1"/>
    </fixed>
  </tendon>
  <actuator>
${GEARS.map(([joint, gear]) => `    <motor name="${joint}" joint="${joint}" gear="${gear}"/>`).join('\n')}
  </actuator>
</mujoco>
`;
